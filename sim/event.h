#pragma once

// Scheduler events: the units a step runs. Every event belongs to one actor, a user or the
// server handler of one request.

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

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
  // The same event in every run that reaches it, however independent events before it were
  // ordered: kind, user, request and the event's ordinal among those of the same kind, user
  // and request. Creation order does not have this property.
  std::uint64_t identity = 0;
  EventKind kind = EventKind::page_load;
  UserId user = 0;
  RequestId request = 0;  // for request_arrival, kv_command and reply_arrival
  TimeMs due_ms = 0;
  // The step whose run created the event (0: created before the first step). With the
  // dependencies between steps, this gives the happens-before order of a schedule.
  std::uint32_t created_at = 0;
};

// The state an event touches, for partial-order reduction and PCT. Two events conflict when they
// belong to the same actor, change the same user's client, or access one KV key and at least
// one of them writes it. A poll timer also conflicts with every event that can bring the run to
// quiescence, because the run then ends and drops the timer: in one order the poll fires, in
// the other it never does.
struct Footprint {
  // The thread of control the event belongs to: a user's actions (and page load), a user's save
  // timer, a user's poll timer, or one request from its arrival to its reply.
  std::uint64_t actor = 0;
  UserId client_user = 0;  // the user whose client state the event changes; 0 for none
  std::vector<std::pair<std::uint64_t, bool>> keys;  // hashed KV keys, each with whether written
  // Whether a run may end with the event still enabled: a poll timer, which quiescence drops.
  bool droppable = false;
  // Whether the event changes what quiescence counts: scripts running, requests in flight and
  // save timers armed. Every event but a request's arrival and its KV commands does.
  bool moves_quiescence = false;
};

bool independent(const Footprint& a, const Footprint& b);

}  // namespace reviewsim
