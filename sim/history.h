#pragma once

// Everything a run did, step by step, and a hash over it. Two runs of the same binary with the
// same inputs and schedule have the same hash; the first step whose record differs explains a
// mismatch. A history may keep only its hash (for bulk runs) or every step (for timelines).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <xxhash.h>

#include "adapters/command.h"
#include "model/decision.h"
#include "sim/event.h"

namespace reviewsim {

struct StepRecord {
  std::uint32_t step = 0;  // 1-based
  TimeMs time_ms = 0;
  EventKind kind = EventKind::page_load;
  UserId user = 0;
  RequestId request = 0;
  std::uint32_t choice = 0;         // index picked among the enabled events
  std::uint32_t enabled_count = 0;  // how many events were enabled
  std::optional<Action> action;     // for user_action
  std::optional<Command> command;   // for kv_command and final_load
  std::optional<Reply> reply;
  // Notices, acknowledgements and outcomes for people to read. Derived from the fields above,
  // so it stays out of the hash, and filled only when the history keeps its steps.
  std::string note;
};

class History {
 public:
  explicit History(bool keep_steps);
  History(const History&) = delete;
  History& operator=(const History&) = delete;
  ~History();

  // Adds the step to the hash and, when steps are kept, a copy of it to the list. The record
  // stays with the caller, which may move its reply on.
  void record(const StepRecord& record);

  std::uint64_t hash() const;
  // The hash after each kept step, so that two histories can be compared step by step.
  const std::vector<std::uint64_t>& step_hashes() const { return step_hashes_; }
  std::uint32_t steps_count() const { return steps_count_; }
  bool keeps_steps() const { return keep_steps_; }
  const std::vector<StepRecord>& steps() const { return steps_; }
  std::vector<StepRecord>& steps() { return steps_; }

 private:
  void hash_reply(const Reply& reply);
  void hash_bytes(const void* data, std::size_t size);
  template <typename T>
  void hash_value(const T& value) {
    hash_bytes(&value, sizeof(value));
  }
  void hash_string(const std::string& text);

  bool keep_steps_;
  std::uint32_t steps_count_ = 0;
  std::vector<StepRecord> steps_;
  std::vector<std::uint64_t> step_hashes_;
  // The bytes of the step being recorded. They go to the hash in one update per step, which
  // gives the same hash as one update per field at a fraction of the calls.
  std::string step_bytes_;
  XXH3_state_t* hash_state_;
};

}  // namespace reviewsim
