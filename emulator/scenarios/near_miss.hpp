// Near misses: how far each clause of a rule's match is from a request. RuleMatch::matches
// (scenario.cpp) is the yes/no walk the request path takes; this is the same walk scored, for
// the admin API's diagnosis, and it never moves a counter.
#pragma once

#include <cstddef>
#include <string>

#include "core/faults.hpp"
#include "scenarios/scenario.hpp"

namespace agentemu {

// Rule `index` of `scenario` against the call. Clauses weigh as WireMock weighs a stub's parts:
// what picks the operation (vendor, operation, path) 10, the method 3, every other clause 1;
// the distance is their weighted mean, so it stays in [0, 1] however many clauses a rule has.
RuleNearMiss explain_rule(const Scenario& scenario, std::size_t index, const Call& call, MatchCache& cache);

// A rule's "when" in words: "calls 2-3, probability 0.25"; "" when it has none.
std::string describe_when(const RuleWhen& when);

}  // namespace agentemu
