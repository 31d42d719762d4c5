// The callback delivery engine: vendors hand it signed requests (CallbackSender); it POSTs them
// with the outbound client (core/net/http_client.hpp) on the server's io_context, never a thread
// per delivery. At most max_in_flight attempts run at once, at most max_queued wait behind them
// (past that a delivery is dropped and journaled). A non-2xx answer or none at all is retried on
// the vendor's schedule with timers on the emulator's clock, so PUT /_emulator/clock past a
// retry makes it at once. Every attempt is journaled and counted.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/callbacks/callbacks.hpp"
#include "core/callbacks/journal.hpp"
#include "core/callbacks/url_policy.hpp"
#include "core/net/http_client.hpp"

namespace boost::asio {
class io_context;
}

namespace agentemu {

class Clock;
class Logger;
class Scheduler;

struct CallbackOptions {
  std::vector<std::string> allow;  // --callback-allow host globs
  Millis timeout{5000};            // --callback-timeout-ms: to connect, and then for the answer
  std::size_t max_in_flight = 64;
  std::size_t max_queued = 4096;
  std::size_t journal_limit = CallbackJournal::kDefaultLimit;
  std::size_t journal_budget = CallbackJournal::kDefaultBudget;
  std::size_t kept_response_bytes = 4096;  // of each answer's body, in the journal
};

class CallbackEngine final : public CallbackSender {
 public:
  CallbackEngine(boost::asio::io_context& io, const Clock& clock, Scheduler& scheduler, Logger& log,
                 CallbackOptions options);
  ~CallbackEngine() override;
  CallbackEngine(const CallbackEngine&) = delete;
  CallbackEngine& operator=(const CallbackEngine&) = delete;

  void set_rules(CallbackRules* rules) { rules_ = rules; }
  void send(CallbackRequest request) override;

  // POST /_emulator/reset: queued attempts and pending retries are forgotten (an attempt on the
  // wire finishes unrecorded) and the journal is emptied. Counters keep counting, as the
  // request metrics do.
  void reset();
  const CallbackJournal& journal() const { return journal_; }
  // agentemu_callback_attempts_total{vendor,event,status} and
  // agentemu_callbacks_total{vendor,event,outcome}.
  std::string prometheus_text() const;
  std::size_t in_flight() const;
  std::size_t queued() const;
  std::size_t idle_connections() const { return client_.idle_connections(); }

 private:
  struct Delivery;
  using DeliveryPtr = std::shared_ptr<Delivery>;

  void start(DeliveryPtr delivery);  // one attempt, now or once a slot is free
  void post(DeliveryPtr delivery);
  void completed(const DeliveryPtr& delivery, const HttpError& error, const HttpResponse& response,
                 SystemTime started, std::chrono::steady_clock::time_point steady_started);
  void retry_at(const DeliveryPtr& delivery, SystemTime due);
  // A delivery that ends without an attempt on the wire (dropped, blocked).
  void record_unsent(const Delivery& delivery, std::string outcome, std::string error);
  void count(const Delivery& delivery, int status, std::string_view outcome);
  void release_slot();
  bool current(const Delivery& delivery) const;

  const Clock& clock_;
  Scheduler& scheduler_;
  Logger& log_;
  CallbackOptions options_;
  CallbackUrlPolicy policy_;
  HttpClient client_;
  CallbackRules* rules_ = nullptr;
  CallbackJournal journal_;

  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;  // bumped by reset(): older deliveries go quietly
  std::uint64_t next_delivery_ = 1;
  std::size_t in_flight_ = 0;
  std::deque<DeliveryPtr> queue_;
  std::set<std::string> warned_hosts_;  // a blocked host is logged once

  struct Counter {
    std::map<int, std::uint64_t> attempts;               // by status (0: no answer)
    std::map<std::string, std::uint64_t, std::less<>> outcomes;
  };
  mutable std::mutex counters_mutex_;
  std::map<std::pair<std::string, std::string>, Counter> counters_;  // (vendor, event)
};

}  // namespace agentemu
