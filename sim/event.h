#pragma once

// Scheduler events: the units a step runs. Every event belongs to one actor, a user or the
// server handler of one request.

#include <cstdint>
#include <string_view>

#include "model/ids.h"
#include "model/request.h"

namespace reviewsim {

enum class EventKind : std::uint8_t {
  page_load,        // a user opens the page: one load per company
  user_action,      // the next action of a user's script
  save_timer,       // a user's debounced save fires
  poll_timer,       // a user's poll fires
  request_arrival,  // a request reaches the server, which starts its handler
  kv_command,       // a handler runs its next KV command
  reply_arrival,    // a handler's reply reaches its user
  final_load,       // after quiescence: one command of a user's final load (not scheduled)
};

std::string_view event_kind_name(EventKind kind);

struct Event {
  std::uint64_t id = 0;  // creation order within the run; also the tie order of equal times
  EventKind kind = EventKind::page_load;
  UserId user = 0;
  RequestId request = 0;  // for request_arrival, kv_command and reply_arrival
  TimeMs due_ms = 0;
};

}  // namespace reviewsim
