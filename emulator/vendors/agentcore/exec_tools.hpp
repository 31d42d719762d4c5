// InvokeCodeInterpreter when code runs for real (--code-interpreter exec); see exec_tools.cpp.
#pragma once

#include <memory>

#include "vendors/agentcore/sandbox.hpp"

namespace agentemu::agentcore {

struct HandlerContext;

// Runs the tool the request names in the session's sandbox and answers (now, or once the run
// finished) with one result event, or a validationException event for bad arguments.
void invoke_tool_for_real(HandlerContext& h, const std::shared_ptr<Sandbox>& sandbox);

}  // namespace agentemu::agentcore
