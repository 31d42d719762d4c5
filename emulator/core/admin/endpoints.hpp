// Every admin endpoint's handler, by the file that holds it. core/admin/routes.cpp is the table
// that maps methods and routes to them.
#pragma once

#include "core/admin/context.hpp"

namespace agentemu::admin {

// state.cpp: health, reset, the vendors' state, Prometheus metrics
void health(Context& admin, Call& call, const PathParams& params);
void reset(Context& admin, Call& call, const PathParams& params);
void read_state(Context& admin, Call& call, const PathParams& params);
void merge_state(Context& admin, Call& call, const PathParams& params);
void save_state(Context& admin, Call& call, const PathParams& params);  // to --state-file
void metrics(Context& admin, Call& call, const PathParams& params);

// requests.cpp: the journal
void list_requests(Context& admin, Call& call, const PathParams& params);
void count_requests(Context& admin, Call& call, const PathParams& params);
void clear_requests(Context& admin, Call& call, const PathParams& params);
void unmatched_requests(Context& admin, Call& call, const PathParams& params);  // with their diagnosis
void one_request(Context& admin, Call& call, const PathParams& params);         // with its diagnosis

// operations.cpp: every vendor's operations (also `agentemu describe`)
void operations(Context& admin, Call& call, const PathParams& params);

// clock.cpp
void read_clock(Context& admin, Call& call, const PathParams& params);
void move_clock(Context& admin, Call& call, const PathParams& params);

// scenarios.cpp
void list_scenarios(Context& admin, Call& call, const PathParams& params);
void remove_all_scenarios(Context& admin, Call& call, const PathParams& params);
void put_scenario(Context& admin, Call& call, const PathParams& params);
void remove_scenario(Context& admin, Call& call, const PathParams& params);
void reload_scenario(Context& admin, Call& call, const PathParams& params);  // reads its file again

// callbacks.cpp: every callback attempt
void list_callbacks(Context& admin, Call& call, const PathParams& params);
void count_callbacks(Context& admin, Call& call, const PathParams& params);

// ui.cpp: the dashboard
void ui_page(Context& admin, Call& call, const PathParams& params);
void ui_asset(Context& admin, Call& call, const PathParams& params);

}  // namespace agentemu::admin
