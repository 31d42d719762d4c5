#include "core/local.hpp"

namespace agentemu {

LocalExecution::LocalExecution(boost::asio::io_context& io, LocalOptions options, bool reap_orphans)
    : options_(std::move(options)), processes_(io, reap_orphans), http_(io) {}

LocalExecution::~LocalExecution() { shutdown(); }

void LocalExecution::shutdown() {
  processes_.shutdown();
  http_.close_idle();
  workspace_.remove_all();
}

}  // namespace agentemu
