#include "sim/history.h"

#include "model/assert.h"

namespace reviewsim {

std::string_view event_kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::page_load: return "page-load";
    case EventKind::user_action: return "action";
    case EventKind::save_timer: return "save-timer";
    case EventKind::poll_timer: return "poll-timer";
    case EventKind::request_arrival: return "request";
    case EventKind::kv_command: return "kv";
    case EventKind::reply_arrival: return "reply";
    case EventKind::final_load: return "final-load";
  }
  RS_ASSERT(false);
}

History::History(bool keep_steps) : keep_steps_(keep_steps), hash_state_(XXH3_createState()) {
  RS_ASSERT(hash_state_ != nullptr);
  RS_ASSERT(XXH3_64bits_reset(hash_state_) == XXH_OK);
}

History::~History() { XXH3_freeState(hash_state_); }

std::uint64_t History::hash() const { return XXH3_64bits_digest(hash_state_); }

void History::hash_bytes(const void* data, std::size_t size) {
  step_bytes_.append(static_cast<const char*>(data), size);
}

void History::hash_string(const std::string& text) {
  hash_value(text.size());
  hash_bytes(text.data(), text.size());
}

void History::hash_reply(const Reply& reply) {
  hash_value(reply.type);
  hash_value(reply.integer);
  hash_string(reply.text);
  hash_value(reply.elements.size());
  for (const Reply& element : reply.elements) hash_reply(element);
}

void History::record(const StepRecord& record) {
  ++steps_count_;
  RS_ASSERT(record.step == steps_count_);

  // Field by field, never whole structs, so that padding bytes stay out of the hash.
  hash_value(record.step);
  hash_value(record.time_ms);
  hash_value(record.kind);
  hash_value(record.user);
  hash_value(record.request);
  hash_value(record.choice);
  hash_value(record.enabled_count);
  if (record.action) {
    hash_value(record.action->kind);
    hash_value(record.action->item);
    hash_value(record.action->company);
    hash_string(record.action->node);
  }
  if (record.command) {
    hash_value(record.command->op);
    hash_string(record.command->key);
    hash_string(record.command->field);
    hash_string(record.command->value);
  }
  if (record.reply) hash_reply(*record.reply);
  RS_ASSERT(XXH3_64bits_update(hash_state_, step_bytes_.data(), step_bytes_.size()) == XXH_OK);
  step_bytes_.clear();

  if (keep_steps_) {
    steps_.push_back(record);
    step_hashes_.push_back(hash());
  }
}

}  // namespace reviewsim
