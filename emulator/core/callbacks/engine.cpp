#include "core/callbacks/engine.hpp"

#include <utility>

#include "core/log.hpp"
#include "core/scheduler.hpp"

namespace agentemu {

namespace {

constexpr std::size_t kMaxAnswerBytes = 1024 * 1024;  // read of an answer; the journal keeps less
constexpr std::size_t kWarnedHostsKept = 64;

std::string label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

struct CallbackEngine::Delivery {
  std::uint64_t id = 0;
  std::uint64_t generation = 0;
  std::shared_ptr<const CallbackRequest> request;  // a duplicate shares its original's
  int attempt = 1;
  std::string scenario;
  std::string rule;
};

CallbackEngine::CallbackEngine(boost::asio::io_context& io, const Clock& clock, Scheduler& scheduler, Logger& log,
                               CallbackOptions options)
    : clock_(clock),
      scheduler_(scheduler),
      log_(log),
      options_(std::move(options)),
      policy_(options_.allow),
      client_(io),
      journal_(options_.journal_limit, options_.journal_budget) {}

CallbackEngine::~CallbackEngine() = default;

bool CallbackEngine::current(const Delivery& delivery) const {
  std::lock_guard lock(mutex_);
  return delivery.generation == generation_;
}

void CallbackEngine::send(CallbackRequest request) {
  auto shared = std::make_shared<const CallbackRequest>(std::move(request));
  const auto make = [&] {
    auto delivery = std::make_shared<Delivery>();
    std::lock_guard lock(mutex_);
    delivery->id = next_delivery_++;
    delivery->generation = generation_;
    delivery->request = shared;
    return delivery;
  };
  DeliveryPtr delivery = make();
  if (auto why = policy_.refusal(shared->url)) {
    {
      std::lock_guard lock(mutex_);
      const bool fresh = warned_hosts_.size() < kWarnedHostsKept && warned_hosts_.insert(shared->url).second;
      if (fresh) log_.warn("callback not sent", {{"vendor", shared->vendor}, {"url", shared->url}, {"reason", *why}});
    }
    record_unsent(*delivery, "blocked", *why);
    return;
  }

  std::optional<CallbackFault> fault;
  if (rules_ != nullptr) fault = rules_->fire_callback({shared->vendor, shared->event, shared->url, shared->body});
  std::vector<DeliveryPtr> deliveries{delivery};
  Millis delay{0};
  if (fault) {
    delivery->scenario = fault->scenario;
    delivery->rule = fault->rule;
    if (fault->action == CallbackFault::Action::drop) {
      record_unsent(*delivery, "dropped", "dropped by scenario \"" + fault->scenario + "\", rule \"" + fault->rule + "\"");
      return;
    }
    delay = fault->delay;
    const int copies = fault->action == CallbackFault::Action::duplicate ? fault->copies : 0;
    for (int i = 0; i < copies; ++i) {
      DeliveryPtr copy = make();
      copy->scenario = fault->scenario;
      copy->rule = fault->rule;
      deliveries.push_back(std::move(copy));
    }
  }
  for (DeliveryPtr& d : deliveries) {
    if (delay.count() > 0) {
      scheduler_.at(clock_.now() + delay, [this, d] { start(d); });
    } else {
      start(std::move(d));
    }
  }
}

void CallbackEngine::start(DeliveryPtr delivery) {
  bool overflow = false;
  {
    std::lock_guard lock(mutex_);
    if (delivery->generation != generation_) return;
    if (in_flight_ >= options_.max_in_flight) {
      if (queue_.size() < options_.max_queued) {
        queue_.push_back(std::move(delivery));
        return;
      }
      overflow = true;
    } else {
      ++in_flight_;
    }
  }
  if (overflow) {
    record_unsent(*delivery, "dropped",
                  "the callback queue is full: " + std::to_string(options_.max_queued) + " deliveries wait for one of " +
                      std::to_string(options_.max_in_flight) + " connections");
    return;
  }
  post(std::move(delivery));
}

void CallbackEngine::post(DeliveryPtr delivery) {
  const CallbackRequest& request = *delivery->request;
  HttpRequestSpec spec;
  spec.method = "POST";
  spec.url = request.url;
  spec.headers = request.headers;
  spec.body = request.body;
  spec.connect_timeout = options_.timeout;
  spec.timeout = options_.timeout;
  spec.max_body_bytes = kMaxAnswerBytes;
  const SystemTime started = clock_.now();
  const auto steady_started = std::chrono::steady_clock::now();
  client_.fetch(std::move(spec), [this, delivery, started, steady_started](const HttpError& error, HttpResponse& response) {
    completed(delivery, error, response, started, steady_started);
  });
}

void CallbackEngine::release_slot() {
  DeliveryPtr next;
  {
    std::lock_guard lock(mutex_);
    while (!queue_.empty() && !next) {
      next = std::move(queue_.front());
      queue_.pop_front();
      if (next->generation != generation_) next.reset();
    }
    if (!next) --in_flight_;
  }
  if (next) post(std::move(next));
}

void CallbackEngine::completed(const DeliveryPtr& delivery, const HttpError& error, const HttpResponse& response,
                               SystemTime started, std::chrono::steady_clock::time_point steady_started) {
  release_slot();
  if (!current(*delivery)) return;
  const CallbackRequest& request = *delivery->request;
  // An answer whose body was too long to read still answered with its status.
  const bool answered = !error || error.kind == HttpFailure::too_large;
  const int status = answered ? response.status : 0;
  const bool ok = answered && status >= 200 && status < 300;
  const auto retries = request.retries;
  const bool again = !ok && static_cast<std::size_t>(delivery->attempt) <= retries.size();

  CallbackEntry entry;
  entry.delivery = delivery->id;
  entry.time = started;
  entry.vendor = request.vendor;
  entry.event = request.event;
  entry.url = request.url;
  entry.attempt = delivery->attempt;
  entry.status = status;
  if (!answered) {
    entry.error = std::string(failure_name(error.kind)) + ": " + error.message;
  } else if (!ok) {
    entry.error = "the answer is not 2xx";
  }
  entry.headers = request.headers;
  entry.body = request.body;
  entry.response = response.body.substr(0, options_.kept_response_bytes);
  entry.outcome = ok ? "delivered" : again ? "retrying" : "given_up";
  entry.scenario = delivery->scenario;
  entry.rule = delivery->rule;
  entry.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - steady_started).count();
  SystemTime due{};
  if (again) {
    due = started + retries[static_cast<std::size_t>(delivery->attempt) - 1];
    entry.next_attempt = due;
  }
  count(*delivery, status, again ? std::string_view() : std::string_view(entry.outcome));
  journal_.record(std::move(entry));
  if (again) retry_at(delivery, due);
}

void CallbackEngine::retry_at(const DeliveryPtr& delivery, SystemTime due) {
  scheduler_.at(due, [this, delivery] {
    ++delivery->attempt;
    start(delivery);
  });
}

void CallbackEngine::record_unsent(const Delivery& delivery, std::string outcome, std::string error) {
  const CallbackRequest& request = *delivery.request;
  CallbackEntry entry;
  entry.delivery = delivery.id;
  entry.time = clock_.now();
  entry.vendor = request.vendor;
  entry.event = request.event;
  entry.url = request.url;
  entry.attempt = delivery.attempt;
  entry.error = std::move(error);
  entry.headers = request.headers;
  entry.body = request.body;
  entry.outcome = std::move(outcome);
  entry.scenario = delivery.scenario;
  entry.rule = delivery.rule;
  count(delivery, -1, entry.outcome);
  journal_.record(std::move(entry));
}

void CallbackEngine::count(const Delivery& delivery, int status, std::string_view outcome) {
  std::lock_guard lock(counters_mutex_);
  Counter& counter = counters_[{delivery.request->vendor, delivery.request->event}];
  if (status >= 0) ++counter.attempts[status];
  if (!outcome.empty()) {
    const auto it = counter.outcomes.find(outcome);
    if (it == counter.outcomes.end()) {
      counter.outcomes.emplace(std::string(outcome), 1);
    } else {
      ++it->second;
    }
  }
}

void CallbackEngine::reset() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
    queue_.clear();
  }
  journal_.clear();
}

std::size_t CallbackEngine::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

std::size_t CallbackEngine::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::string CallbackEngine::prometheus_text() const {
  std::string out;
  out += "# HELP agentemu_callback_attempts_total Callback attempts sent, by vendor, event and the answer's HTTP status "
         "(0: none).\n";
  out += "# TYPE agentemu_callback_attempts_total counter\n";
  std::lock_guard lock(counters_mutex_);
  for (const auto& [key, counter] : counters_) {
    for (const auto& [status, n] : counter.attempts) {
      out += "agentemu_callback_attempts_total{vendor=\"" + label_value(key.first) + "\",event=\"" +
             label_value(key.second) + "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    }
  }
  out += "# HELP agentemu_callbacks_total Callback deliveries ended, by vendor, event and outcome (delivered, "
         "given_up, dropped, blocked).\n";
  out += "# TYPE agentemu_callbacks_total counter\n";
  for (const auto& [key, counter] : counters_) {
    for (const auto& [outcome, n] : counter.outcomes) {
      out += "agentemu_callbacks_total{vendor=\"" + label_value(key.first) + "\",event=\"" + label_value(key.second) +
             "\",outcome=\"" + outcome + "\"} " + std::to_string(n) + "\n";
    }
  }
  return out;
}

}  // namespace agentemu
