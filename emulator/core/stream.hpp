// A response body that arrives after its head: a proxied answer, server-sent events. A handler
// puts a BodySource on Response::stream; the connection writes the head (chunked transfer
// encoding) and start()s the source, which pushes the body piece by piece into the sink. Each
// write completes before the source sends the next, so a slow client slows the source down.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace agentemu {

class BodySink {
 public:
  virtual ~BodySink() = default;
  // One piece of the body (empty pieces are skipped). `written(true)` once the connection took
  // it; `written(false)` when the client is gone (the source then stops).
  virtual void write(std::string bytes, std::function<void(bool ok)> written) = 0;
  // The body is complete.
  virtual void end() = 0;
  // The body cannot be completed (the upstream failed): the connection is closed mid-body, so
  // the client sees a truncated answer rather than a complete wrong one.
  virtual void abort() = 0;
};

class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual void start(std::shared_ptr<BodySink> sink) = 0;
  // The body is not wanted (the answer was replaced by a scenario fault, a HEAD request, the
  // client left): release what produces it. Runs at most once, instead of or after start().
  virtual void cancel() = 0;
};

}  // namespace agentemu
