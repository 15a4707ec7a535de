#pragma once

// One virtual user's browser tab: its dropdown, its views, its pending saves and timers. The
// client is a pure state machine. The engine feeds it actions, timer firings and replies, and
// carries out the effects it returns (requests to send, timers to arm or cancel). It never
// reads a clock or draws a random number: times come in as arguments, and the engine draws
// every delay.

#include <cstdint>
#include <map>
#include <vector>

#include "model/client_variant.h"
#include "model/company_state.h"
#include "model/request.h"

namespace reviewsim {

enum class TimerChange : std::uint8_t { none, arm, cancel };

// "Updated by another user": a load changed entries last written by other users.
struct Notice {
  CompanyId company = 0;
  std::vector<ItemId> items;
};

struct ClientEffects {
  std::vector<Request> requests;
  // The debounce timer of the save: arm replaces a running timer, and the engine draws the
  // delay from the scenario's save_delay_ms.
  TimerChange save_timer = TimerChange::none;
  // The poll timer; arm replaces a running one, and fires after the poll interval.
  TimerChange poll_timer = TimerChange::none;
  std::vector<Decision> decisions;
  std::vector<DecisionId> acknowledged;
  std::vector<Notice> notices;

  void clear();
};

class Client {
 public:
  Client(UserId user, ClientVariant variant, std::size_t companies_count,
         CompanyId start_company);

  // Page load: one load per company, and the poll timer when the variant polls.
  void start(ClientEffects& effects);
  // Performs one script action at virtual time `now_ms`. Requires page_ready() and, for a
  // decision, a visible tab and an item of the current company.
  void perform(const Action& action, CompanyId item_company, TimeMs now_ms,
               ClientEffects& effects);
  void on_save_timer(ClientEffects& effects);
  void on_poll_timer(ClientEffects& effects);
  void on_save_reply(RequestId request, bool ok, ClientEffects& effects);
  void on_load_reply(RequestId request, CompanyId company, CompanyState loaded,
                     ClientEffects& effects);
  // A load whose handler failed leaves the view as it was.
  void on_load_failed(RequestId request);
  // The load of every company that every user makes once at quiescence, before the divergence
  // check. Merges as a poll does, without notices.
  void apply_final_load(CompanyId company, CompanyState loaded);

  UserId user() const { return user_; }
  const ClientVariant& variant() const { return variant_; }
  CompanyId current_company() const { return current_company_; }
  bool visible() const { return visible_; }
  bool page_ready() const { return page_loads_outstanding_ == 0 && started_; }
  // True while decisions wait for the debounce timer or for a save's reply.
  bool has_unsaved_decisions() const { return !pending_.empty() || !in_flight_saves_.empty(); }
  bool has_pending_decisions() const { return !pending_.empty(); }
  const CompanyState& view(CompanyId company) const;
  const std::vector<CompanyState>& views() const { return views_; }

 private:
  struct InFlightSave {
    CompanyId company = 0;
    std::vector<Decision> decisions;
  };

  RequestId next_request_id();
  // Counts down the page loads; returns whether `request` was one of them.
  bool note_page_load_done(RequestId request);
  void send_load(CompanyId company, ClientEffects& effects);
  void send_save(CompanyId company, std::vector<Decision> decisions, ClientEffects& effects);
  void merge_loaded(CompanyId company, CompanyState loaded, bool notify, ClientEffects& effects);

  UserId user_;
  ClientVariant variant_;
  CompanyId current_company_;
  bool visible_ = true;
  bool started_ = false;
  int page_loads_outstanding_ = 0;
  std::uint32_t decisions_made_ = 0;
  std::uint32_t requests_sent_ = 0;
  std::vector<CompanyState> views_;
  std::vector<Decision> pending_;  // made, not yet sent
  std::map<RequestId, InFlightSave> in_flight_saves_;
};

}  // namespace reviewsim
