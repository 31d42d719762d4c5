// What the Memory handlers share (memory.cpp: the memory, events and IngestData;
// memory_records.cpp: records, retrieval and extraction jobs): opening the memory a request
// names, the answer, ValidationException, and the pages' cursors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vendors/agentcore/agentcore_vendor.hpp"
#include "vendors/agentcore/memory_state.hpp"

namespace agentemu::agentcore::memory_api {

inline constexpr int kDefaultPage = 20;  // ListEvents, ListSessions, ListActors, List/RetrieveMemoryRecords, jobs

struct OpenMemory {
  std::string account, region;  // the memory's tenant
  std::string id;               // the memory id, also when the request named it by ARN
  std::string key;              // State::memory's key
  MemoryData* data = nullptr;
  std::vector<StrategyInfo> strategies;
};

// The memory the memoryId label names, in the caller's tenant (or the one its ARN names), brought
// up to now: expired events gone, due extractions run. Answers the error itself; the caller holds
// the state lock.
bool open_memory(HandlerContext& h, OpenMemory& out);
Tenant& caller_tenant(HandlerContext& h);

std::string_view text_of(const JsonValue& object, std::string_view key);
int page_size(HandlerContext& h);
double epoch_seconds_of(std::int64_t ms);
// A restJson1 timestamp member (epoch seconds, possibly fractional) as epoch millis.
std::optional<std::int64_t> timestamp_ms(const JsonValue* v);

void answer(HandlerContext& h, std::string body);
void validation(HandlerContext& h, std::string field, std::string constraint, std::string message,
                std::string_view reason = "FieldValidationFailed");

// Pages are cursors, not offsets, so a page stays right when items come and go between calls:
// base64 of "<kind>:<position>", the position of the last item answered.
std::string cursor(std::string_view kind, std::string_view position);
// The position a nextToken carries (none: none sent); answers ValidationException for a token
// agentemu did not hand out for this kind of list.
bool read_cursor(HandlerContext& h, std::string_view kind, std::optional<std::string>& position);

// memory_records.cpp
void batch_create_records(HandlerContext& h);
void batch_update_records(HandlerContext& h);
void batch_delete_records(HandlerContext& h);
void get_record(HandlerContext& h);
void delete_record(HandlerContext& h);
void list_records(HandlerContext& h);
void retrieve_records(HandlerContext& h);
void start_extraction_job(HandlerContext& h);
void list_extraction_jobs(HandlerContext& h);

}  // namespace agentemu::agentcore::memory_api
