#include "model/client.h"

#include <algorithm>

#include "model/assert.h"

namespace reviewsim {

void ClientEffects::clear() {
  requests.clear();
  save_timer = TimerChange::none;
  poll_timer = TimerChange::none;
  decisions.clear();
  acknowledged.clear();
  notices.clear();
}

Client::Client(UserId user, ClientVariant variant, std::size_t companies_count,
               CompanyId start_company)
    : user_(user),
      variant_(std::move(variant)),
      current_company_(start_company),
      views_(companies_count) {
  RS_ASSERT(user != kImportUser);
  RS_ASSERT(user <= kUsersMax);
  RS_ASSERT(start_company < companies_count);
}

const CompanyState& Client::view(CompanyId company) const {
  RS_ASSERT(company < views_.size());
  return views_[company];
}

RequestId Client::next_request_id() {
  ++requests_sent_;
  RS_ASSERT(requests_sent_ < (1u << 24));
  return (static_cast<RequestId>(user_) << 24) | requests_sent_;
}

void Client::start(ClientEffects& effects) {
  RS_ASSERT(!started_);
  started_ = true;

  // The page loads every company once; the requests numbered 1..companies_count are those
  // page loads, which on_load_reply counts down.
  for (std::size_t company = 0; company < views_.size(); ++company) {
    send_load(static_cast<CompanyId>(company), effects);
  }
  page_loads_outstanding_ = static_cast<int>(views_.size());

  if (variant_.sync == Sync::poll) effects.poll_timer = TimerChange::arm;
}

void Client::perform(const Action& action, CompanyId item_company, TimeMs now_ms,
                     ClientEffects& effects) {
  RS_ASSERT(page_ready());

  switch (action.kind) {
    case ActionKind::switch_company:
      RS_ASSERT(action.company < views_.size());
      current_company_ = action.company;
      if (variant_.sync == Sync::poll && visible_) send_load(current_company_, effects);
      return;
    case ActionKind::hide_tab:
      visible_ = false;
      if (variant_.sync == Sync::poll) effects.poll_timer = TimerChange::cancel;
      return;
    case ActionKind::show_tab:
      if (visible_) return;
      visible_ = true;
      if (variant_.sync == Sync::poll) {
        send_load(current_company_, effects);
        effects.poll_timer = TimerChange::arm;
      }
      return;
    default:
      break;
  }

  // A decision acts on the company the dropdown shows.
  RS_ASSERT(visible_);
  RS_ASSERT(item_company == current_company_);
  ++decisions_made_;
  Decision decision{DecisionId{user_, decisions_made_}, current_company_, action.item,
                    decision_kind_of(action.kind), action.node, now_ms};
  views_[current_company_].apply(decision);
  pending_.push_back(decision);
  effects.decisions.push_back(std::move(decision));
  effects.save_timer = TimerChange::arm;
}

void Client::on_save_timer(ClientEffects& effects) {
  if (pending_.empty()) return;
  std::vector<Decision> pending = std::move(pending_);
  pending_.clear();

  if (variant_.save_key == SaveKey::global_current) {
    // The legacy save reads the dropdown when it runs. Decisions made for another company are
    // written into the view of the company shown now, as the incident's local state showed.
    const CompanyId target = current_company_;
    for (const Decision& decision : pending) {
      if (decision.company != target) views_[target].apply(decision);
    }
    send_save(target, std::move(pending), effects);
    return;
  }

  // The captured key: one save per company, in the order the companies were first decided on.
  std::vector<CompanyId> companies;
  for (const Decision& decision : pending) {
    if (std::find(companies.begin(), companies.end(), decision.company) == companies.end()) {
      companies.push_back(decision.company);
    }
  }
  for (const CompanyId company : companies) {
    std::vector<Decision> decisions;
    for (const Decision& decision : pending) {
      if (decision.company == company) decisions.push_back(decision);
    }
    send_save(company, std::move(decisions), effects);
  }
}

void Client::on_poll_timer(ClientEffects& effects) {
  RS_ASSERT(variant_.sync == Sync::poll);
  if (!visible_) return;
  send_load(current_company_, effects);
  effects.poll_timer = TimerChange::arm;
}

void Client::on_save_reply(RequestId request, bool ok, ClientEffects& effects) {
  const auto found = in_flight_saves_.find(request);
  RS_ASSERT(found != in_flight_saves_.end());
  if (ok) {
    for (const Decision& decision : found->second.decisions) {
      effects.acknowledged.push_back(decision.id);
    }
  }
  in_flight_saves_.erase(found);
}

void Client::on_load_reply(RequestId request, CompanyId company, CompanyState loaded,
                           ClientEffects& effects) {
  RS_ASSERT(company < views_.size());
  const bool page_load = note_page_load_done(request);
  merge_loaded(company, std::move(loaded), /*notify=*/!page_load, effects);
}

void Client::on_load_failed(RequestId request) { note_page_load_done(request); }

void Client::apply_final_load(CompanyId company, CompanyState loaded) {
  RS_ASSERT(company < views_.size());
  ClientEffects ignored;
  merge_loaded(company, std::move(loaded), /*notify=*/false, ignored);
}

bool Client::note_page_load_done(RequestId request) {
  RS_ASSERT(user_of(request) == user_);
  const bool page_load = counter_of(request) <= views_.size();
  if (page_load) {
    RS_ASSERT(page_loads_outstanding_ > 0);
    --page_loads_outstanding_;
  }
  return page_load;
}

void Client::send_load(CompanyId company, ClientEffects& effects) {
  Request request;
  request.id = next_request_id();
  request.kind = Request::Kind::load;
  request.company = company;
  effects.requests.push_back(std::move(request));
}

void Client::send_save(CompanyId company, std::vector<Decision> decisions,
                       ClientEffects& effects) {
  RS_ASSERT(!decisions.empty());
  Request request;
  request.id = next_request_id();
  request.kind = Request::Kind::save;
  request.company = company;
  request.save.company = company;
  request.save.view = views_[company];
  request.save.changes = decisions;
  request.save.payload = variant_.payload;
  in_flight_saves_.emplace(request.id, InFlightSave{company, std::move(decisions)});
  effects.requests.push_back(std::move(request));
}

void Client::merge_loaded(CompanyId company, CompanyState loaded, bool notify,
                          ClientEffects& effects) {
  if (variant_.poll_merge == PollMerge::keep_pending) {
    for (const auto& [request, save] : in_flight_saves_) {
      if (save.company != company) continue;
      for (const Decision& decision : save.decisions) loaded.apply(decision);
    }
    for (const Decision& decision : pending_) {
      if (decision.company == company) loaded.apply(decision);
    }
  }

  // "Updated by another user": entries that changed and were last written by someone else.
  Notice notice{company, {}};
  const CompanyState& before = views_[company];
  for (const Status status : kStatuses) {
    for (const auto& [item, entry] : loaded.map(status)) {
      const Entry* old_entry = before.find(item, status);
      const bool changed = old_entry == nullptr || !(*old_entry == entry);
      if (changed && entry.id.user != user_ && entry.id.user != kImportUser) {
        notice.items.push_back(item);
      }
    }
  }
  if (notify && !notice.items.empty()) {
    std::sort(notice.items.begin(), notice.items.end());
    notice.items.erase(std::unique(notice.items.begin(), notice.items.end()), notice.items.end());
    effects.notices.push_back(std::move(notice));
  }

  views_[company] = std::move(loaded);
}

}  // namespace reviewsim
