#include "vendors/agentcore/runtime_command.hpp"

#include <mutex>

#include "core/json.hpp"
#include "core/stream.hpp"
#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/eventstream.hpp"

namespace agentemu::agentcore {
namespace {

constexpr std::string_view kSessionHeader = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id";
constexpr std::string_view kEventStream = "application/vnd.amazon.eventstream";

// Frames pushed as the command produces them, written one at a time as the client takes them.
// What waits is bounded by the command's own output limit (--exec-limits output).
class EventPipe final : public BodySource, public std::enable_shared_from_this<EventPipe> {
 public:
  using Stop = std::function<void()>;

  void push(std::string frame) {
    {
      std::lock_guard lock(mutex_);
      if (gone_) return;
      pending_ += frame;
    }
    flush();
  }
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    flush();
  }
  // What stops the command when the client leaves.
  void on_gone(Stop stop) {
    bool now = false;
    {
      std::lock_guard lock(mutex_);
      if (gone_) {
        now = true;
      } else {
        stop_ = std::move(stop);
      }
    }
    if (now && stop) stop();
  }

  void start(std::shared_ptr<BodySink> sink) override {
    {
      std::lock_guard lock(mutex_);
      sink_ = std::move(sink);
    }
    flush();
  }
  void cancel() override { leave(); }

 private:
  void leave() {
    Stop stop;
    {
      std::lock_guard lock(mutex_);
      gone_ = true;
      sink_.reset();
      pending_.clear();
      stop = std::move(stop_);
    }
    if (stop) stop();
  }

  void flush() {
    std::shared_ptr<BodySink> sink;
    std::string piece;
    bool end = false;
    {
      std::lock_guard lock(mutex_);
      if (!sink_ || writing_ || gone_) return;
      if (!pending_.empty()) {
        writing_ = true;
        piece.swap(pending_);
        sink = sink_;
      } else if (closed_) {
        end = true;
        sink = std::move(sink_);
      } else {
        return;
      }
    }
    if (end) return sink->end();
    sink->write(std::move(piece), [me = shared_from_this()](bool ok) {
      {
        std::lock_guard lock(me->mutex_);
        me->writing_ = false;
      }
      if (!ok) return me->leave();
      me->flush();
    });
  }

  std::mutex mutex_;
  std::shared_ptr<BodySink> sink_;
  std::string pending_;
  bool writing_ = false, closed_ = false, gone_ = false;
  Stop stop_;
};

void answer_stream(HandlerContext& h, std::shared_ptr<BodySource> body, std::string_view session_id) {
  Response& res = h.call.response;
  res.set(200, kEventStream, {});
  res.add_header(kSessionHeader, session_id);
  res.add_header("x-amzn-RequestId", h.in.request_id);
  for (std::string_view name : {"X-Amzn-Trace-Id", "traceparent", "tracestate", "baggage"}) {
    if (h.call.request.has_header(name)) res.add_header(name, h.call.request.header(name));
  }
  res.stream = std::move(body);
}

std::string delta_event(std::string_view stream_name, std::string_view text) {
  JsonWriter w;
  w.begin_object().field(stream_name, text).end_object();
  std::string out;
  append_chunk_event(out, "contentDelta", w.text());
  return out;
}

std::string stop_event(int exit_code, bool timed_out) {
  JsonWriter w;
  w.begin_object().field_int("exitCode", exit_code).field("status", timed_out ? "TIMED_OUT" : "COMPLETED").end_object();
  std::string out;
  append_chunk_event(out, "contentStop", w.text());
  return out;
}

// Output of one stream on its way to events: whole UTF-8 characters only, at most `cap` bytes.
struct Outflow {
  std::string held;  // the start of a character whose rest has not arrived
  std::size_t sent = 0, cap = 0;
  bool truncated = false;

  std::string take(std::string_view bytes) {
    if (sent >= cap) {
      truncated = truncated || !bytes.empty();
      return {};
    }
    std::string text = std::move(held);
    held.clear();
    text.append(bytes.substr(0, cap - sent));
    truncated = truncated || bytes.size() > cap - sent;
    const std::size_t tail = incomplete_utf8_tail(text);
    held.assign(text, text.size() - tail, tail);
    text.resize(text.size() - tail);
    sent += text.size();
    return text;
  }
};

}  // namespace

void append_chunk_event(std::string& out, std::string_view member, std::string_view json) {
  std::string payload = "{\"";
  payload += member;
  payload += "\":";
  payload += json;
  payload += '}';
  append_json_event(out, "chunk", payload);
}

std::size_t incomplete_utf8_tail(std::string_view bytes) {
  // Look back over at most three continuation bytes for the lead byte of the last character.
  for (std::size_t back = 1; back <= 4 && back <= bytes.size(); ++back) {
    const auto c = static_cast<unsigned char>(bytes[bytes.size() - back]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte
    const std::size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

void stream_runtime_command(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox, std::string_view session_id,
                            std::string command, std::chrono::milliseconds timeout) {
  auto pipe = std::make_shared<EventPipe>();
  std::string start;
  append_chunk_event(start, "contentStart", "{}");
  pipe->push(std::move(start));
  answer_stream(h, pipe, session_id);

  // Both streams' progress and the end arrive on the command's strand, one at a time.
  struct Flows {
    Outflow out, err;
  };
  auto flows = std::make_shared<Flows>();
  flows->out.cap = flows->err.cap = sandbox->limits().output_bytes;
  auto progress = [pipe, flows](bool is_stderr, std::string_view bytes) {
    std::string text = (is_stderr ? flows->err : flows->out).take(bytes);
    if (!text.empty()) pipe->push(delta_event(is_stderr ? "stderr" : "stdout", text));
  };
  auto done = [pipe, flows](CommandResult& r) {
    for (auto [flow, name] : {std::pair{&flows->out, "stdout"}, std::pair{&flows->err, "stderr"}}) {
      if (!flow->held.empty()) pipe->push(delta_event(name, flow->held));  // repaired as JSON text
      if (flow->truncated) {
        pipe->push(delta_event("stderr", "\n[agentemu: " + std::string(name) + " cut at " + std::to_string(flow->cap) +
                                             " bytes, the --exec-limits output limit]\n"));
      }
    }
    // A command that never started is the platform's failure: exit code -1, as the model has it.
    if (!r.spawn_error.empty()) pipe->push(delta_event("stderr", r.spawn_error + "\n"));
    pipe->push(stop_event(r.spawn_error.empty() ? r.status.code : -1, r.timed_out));
    pipe->close();
  };
  auto run = sandbox->execute_command(std::move(command), std::move(done), std::move(progress), timeout);
  if (run) pipe->on_gone([run] { run->stop(); });
}

void echo_runtime_command(HandlerContext& h, std::string_view session_id, std::string_view command) {
  std::string frames;
  append_chunk_event(frames, "contentStart", "{}");
  frames += delta_event("stdout", std::string(command) + "\n");
  frames += stop_event(0, false);
  answer_stream(h, nullptr, session_id);
  h.call.response.body = std::move(frames);
}

}  // namespace agentemu::agentcore
