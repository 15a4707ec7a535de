#include "sim/simulation.h"

#include <algorithm>
#include <array>
#include <map>
#include <unordered_set>

#include <xxhash.h>

#include <fmt/format.h>

#include "adapters/memory_kv.h"
#include "model/assert.h"
#include "model/checkers.h"
#include "model/client.h"
#include "sim/workload.h"

namespace reviewsim {

namespace {

std::uint64_t hash_key(const std::string& key) { return XXH3_64bits(key.data(), key.size()); }

bool writes_store(Op op) {
  switch (op) {
    case Op::set:
    case Op::del:
    case Op::rename:
    case Op::hset:
    case Op::hdel:
      return true;
    default:
      return false;
  }
}

// The server-side execution of one request, from its send to the arrival of its reply.
struct Handler {
  explicit Handler(Request request_in, MemoryStore& store)
      : request(std::move(request_in)), kv(store) {}

  Request request;
  MemoryKv kv;
  std::optional<Program<SaveOutcome>> save_program;
  std::optional<Program<LoadOutcome>> load_program;
  // Deltas of the commands queued since MULTI; they become visible at EXEC.
  bool in_transaction = false;
  std::vector<std::optional<StoreDelta>> queued_deltas;
  std::vector<std::string> queued_commands;
  std::vector<std::pair<std::uint64_t, bool>> queued_keys;  // hashed key and whether written
  std::uint32_t commands_issued = 0;  // kv_command events created so far
  SaveOutcome save_outcome;
  LoadOutcome load_outcome;

  bool started() const { return save_program || load_program; }
  bool done() const {
    return save_program ? save_program->done() : load_program->done();
  }
  ProgramSlot& slot() { return save_program ? save_program->slot() : load_program->slot(); }
  void resume(Reply reply) {
    if (save_program) {
      save_program->resume(std::move(reply));
    } else {
      load_program->resume(std::move(reply));
    }
  }
  void take_outcome() {
    if (save_program) {
      save_outcome = save_program->take_result();
    } else {
      load_outcome = load_program->take_result();
    }
  }
};

struct UserState {
  Client client;
  UserScript script;
  std::size_t next_action = 0;
  bool script_started = false;
  bool script_done = false;
  bool save_timer_armed = false;
  std::uint32_t polls_fired = 0;
  std::array<std::uint32_t, 8> events_created{};  // per EventKind, for Event::identity
};

class Simulation {
 public:
  explicit Simulation(const SimulationConfig& config);
  SimulationResult run();

 private:
  void seed_store();
  void add_event(EventKind kind, UserId user, RequestId request, TimeMs delay_ms);
  void cancel_event(EventKind kind, UserId user);
  TimeMs draw(const RangeMs& range) { return timing_prng_.between(range.min_ms, range.max_ms); }
  UserState& user_state(UserId user) { return users_[user - 1]; }
  bool quiescent() const;

  void run_event(const Event& event, StepRecord& record);
  void run_page_load(UserId user, StepRecord& record);
  void run_user_action(UserId user, StepRecord& record);
  void run_request_arrival(RequestId request, StepRecord& record);
  void run_kv_command(RequestId request, StepRecord& record);
  void run_reply_arrival(RequestId request, StepRecord& record);
  void after_command(Handler& handler, const Command& command, const Reply& reply,
                     std::optional<StoreDelta> delta, std::uint32_t step);
  void commit(UserId user, std::string command_text, StoreDelta delta, std::uint32_t step,
              bool by_exec);
  void schedule_next_action(UserId user);
  void apply_effects(UserId user, StepRecord& record);

  void run_final_loads();
  StateAtStep state_at_step();
  void fill_footprint(const Event& event, Footprint& footprint) const;
  void record_access(const Handler& handler, const Command& command);
  std::vector<CompanyState> snapshot_store();

  const SimulationConfig& config_;
  const Scenario& scenario_;
  const Catalog& catalog_;
  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<Explorer> owned_explorer_;
  Explorer* explorer_;
  Prng root_prng_;
  Prng timing_prng_;
  Prng schedule_prng_;
  MemoryStore store_;
  std::vector<UserState> users_;
  std::vector<Event> events_;  // kept in creation order
  std::map<RequestId, std::unique_ptr<Handler>> handlers_;
  // The footprint of each event in events_, for explorers that need them. An event's footprint
  // is fixed from its creation: a handler's next command and transaction state change only when
  // its own pending event runs.
  const bool keep_footprints_;
  std::vector<Footprint> footprints_;
  std::unordered_set<std::uint64_t> actors_seen_;  // only its size is read
  std::uint64_t events_seen_ = 0;  // events created before this had their actor counted
  std::uint64_t events_created_ = 0;
  TimeMs now_ms_ = 0;
  std::uint32_t step_ = 0;
  int requests_in_flight_ = 0;
  int scripts_running_ = 0;
  int save_timers_armed_ = 0;
  // Set by a step that has already added itself to the history (a KV command, whose reply then
  // moves on to its program).
  bool step_recorded_ = false;
  ClientEffects effects_;
  SimulationResult result_;
};

Simulation::Simulation(const SimulationConfig& config)
    : config_(config),
      scenario_(*config.scenario),
      catalog_(config.scenario->catalog),
      strategy_(make_strategy(config.strategy, config.scenario->catalog)),
      owned_explorer_(config.explorer_override != nullptr ? nullptr
                      : config.schedule != nullptr
                          ? std::unique_ptr<Explorer>(std::make_unique<ReplayExplorer>(*config.schedule))
                          : make_explorer(config.explorer, config.pct)),
      explorer_(config.explorer_override != nullptr ? config.explorer_override : owned_explorer_.get()),
      root_prng_(config.seed),
      timing_prng_(root_prng_.split("timing")),
      schedule_prng_(root_prng_.split("schedule")),
      keep_footprints_(explorer_->needs_footprints()) {
  RS_ASSERT(strategy_ != nullptr);
  RS_ASSERT(config.users_count >= 1);
  RS_ASSERT(config.users_count <= kUsersMax);

  Prng workload_prng = root_prng_.split("workload");
  std::vector<UserScript> scripts = expand_workload(scenario_, config.users_count, workload_prng);
  users_.reserve(scripts.size());
  for (std::size_t index = 0; index < scripts.size(); ++index) {
    const auto user = static_cast<UserId>(index + 1);
    Client client(user, config.client, catalog_.companies_count(), scripts[index].start_company);
    users_.push_back(UserState{std::move(client), std::move(scripts[index])});
  }
  scripts_running_ = config.users_count;
  result_.history = std::make_unique<History>(config.keep_steps);
}

void Simulation::seed_store() {
  std::vector<CompanyState> initial(catalog_.companies_count());
  for (const InitialEntry& entry : scenario_.initial) {
    initial[entry.company].put(entry.item, entry.status, Entry{DecisionId{}, 0, entry.node});
  }
  MemoryKv kv(store_);
  for (std::size_t company = 0; company < initial.size(); ++company) {
    if (initial[company].empty()) continue;
    const SaveOutcome outcome =
        run_program(strategy_->seed(static_cast<CompanyId>(company), initial[company]), kv);
    RS_ASSERT(outcome.ok);
  }
  result_.observations.initial_store = std::move(initial);
}

void Simulation::add_event(EventKind kind, UserId user, RequestId request, TimeMs delay_ms) {
  RS_ASSERT(delay_ms >= 0);
  std::uint32_t ordinal = 0;
  if (kind == EventKind::kv_command) {
    ordinal = handlers_.at(request)->commands_issued++;
  } else if (request == 0) {
    ordinal = user_state(user).events_created[static_cast<int>(kind)]++;
  }
  RS_ASSERT(ordinal < (1u << 24));
  const std::uint64_t identity = (static_cast<std::uint64_t>(kind) << 56) |
                                 (static_cast<std::uint64_t>(user) << 48) |
                                 (static_cast<std::uint64_t>(counter_of(request)) << 24) | ordinal;
  events_.push_back(
      Event{events_created_++, identity, kind, user, request, now_ms_ + delay_ms, step_});
  if (keep_footprints_) fill_footprint(events_.back(), footprints_.emplace_back());
}

// Fills `footprint` for `event`, overwriting every field.
void Simulation::fill_footprint(const Event& event, Footprint& footprint) const {
  footprint.client_user = 0;
  footprint.keys.clear();
  footprint.droppable = event.kind == EventKind::poll_timer;
  footprint.moves_quiescence =
      event.kind != EventKind::request_arrival && event.kind != EventKind::kv_command;
  switch (event.kind) {
    case EventKind::page_load:
    case EventKind::user_action:
      footprint.actor = (std::uint64_t{1} << 40) | event.user;
      footprint.client_user = event.user;
      return;
    case EventKind::save_timer:
      footprint.actor = (std::uint64_t{2} << 40) | event.user;
      footprint.client_user = event.user;
      return;
    case EventKind::poll_timer:
      footprint.actor = (std::uint64_t{3} << 40) | event.user;
      footprint.client_user = event.user;
      return;
    case EventKind::request_arrival:
    case EventKind::kv_command:
    case EventKind::reply_arrival:
      footprint.actor = (std::uint64_t{4} << 40) | event.request;
      break;
    case EventKind::final_load:
      RS_ASSERT(false);
  }
  if (event.kind == EventKind::reply_arrival) {
    footprint.client_user = event.user;
    return;
  }
  if (event.kind != EventKind::kv_command) return;

  // A command queued inside MULTI touches only its connection; EXEC touches every queued key.
  Handler& handler = *handlers_.at(event.request);
  const Command& command = handler.slot().command;
  if (command.op == Op::exec) {
    footprint.keys.assign(handler.queued_keys.begin(), handler.queued_keys.end());
  } else if (!handler.in_transaction && command.op != Op::multi) {
    footprint.keys.emplace_back(hash_key(command.key), writes_store(command.op));
  }
}

void Simulation::cancel_event(EventKind kind, UserId user) {
  const auto found = std::find_if(events_.begin(), events_.end(), [&](const Event& event) {
    return event.kind == kind && event.user == user;
  });
  if (found == events_.end()) return;
  if (keep_footprints_) footprints_.erase(footprints_.begin() + (found - events_.begin()));
  events_.erase(found);
}

bool Simulation::quiescent() const {
  return scripts_running_ == 0 && requests_in_flight_ == 0 && save_timers_armed_ == 0;
}

SimulationResult Simulation::run() {
  seed_store();
  for (const UserState& state : users_) add_event(EventKind::page_load, state.client.user(), 0, 0);

  History& history = *result_.history;
  while (!quiescent()) {
    if (config_.stop_after_step != 0 && step_ >= config_.stop_after_step) {
      result_.stopped = state_at_step();
      break;
    }
    if (step_ >= config_.steps_max) {
      result_.step_limit_hit = true;
      break;
    }
    RS_ASSERT(!events_.empty());
    if (keep_footprints_) {
      // An actor counts once it has an event enabled at a choice.
      for (std::size_t index = events_.size(); index-- > 0 && events_[index].id >= events_seen_;) {
        actors_seen_.insert(footprints_[index].actor);
      }
      events_seen_ = events_created_;
    }
    const std::size_t choice =
        explorer_->choose(ChoiceContext{events_, footprints_, step_ + 1, schedule_prng_});
    RS_ASSERT(choice < events_.size());
    const Event event = events_[choice];
    events_.erase(events_.begin() + static_cast<std::ptrdiff_t>(choice));
    if (keep_footprints_) footprints_.erase(footprints_.begin() + static_cast<std::ptrdiff_t>(choice));
    now_ms_ = std::max(now_ms_, event.due_ms);

    StepRecord record;
    record.step = ++step_;
    record.time_ms = now_ms_;
    record.kind = event.kind;
    record.user = event.user;
    record.request = event.request;
    record.choice = static_cast<std::uint32_t>(choice);
    record.enabled_count = static_cast<std::uint32_t>(events_.size() + 1);
    step_recorded_ = false;
    run_event(event, record);
    if (!step_recorded_) history.record(record);
    result_.schedule.push_back(record.choice);
  }

  explorer_->finish(events_, footprints_);
  if (!result_.step_limit_hit && !result_.stopped) {
    // Only poll timers may remain; quiescence drops them.
    for (const Event& event : events_) RS_ASSERT(event.kind == EventKind::poll_timer);
    run_final_loads();
    result_.observations.final_store = snapshot_store();
    result_.anomalies = check_all(result_.observations, catalog_);
  }
  result_.steps_count = step_;
  result_.end_time_ms = now_ms_;
  result_.actors_count = static_cast<int>(actors_seen_.size());
  result_.history_hash = history.hash();
  return std::move(result_);
}

void Simulation::run_event(const Event& event, StepRecord& record) {
  switch (event.kind) {
    case EventKind::page_load:
      run_page_load(event.user, record);
      return;
    case EventKind::user_action:
      run_user_action(event.user, record);
      return;
    case EventKind::save_timer: {
      UserState& state = user_state(event.user);
      RS_ASSERT(state.save_timer_armed);
      state.save_timer_armed = false;
      --save_timers_armed_;
      state.client.on_save_timer(effects_);
      apply_effects(event.user, record);
      return;
    }
    case EventKind::poll_timer: {
      // A user whose script is done and whose decisions are all saved stops polling, so that
      // the run can drain to quiescence. Otherwise an explorer that ignores time could keep
      // firing polls, and some request would always be waiting for its reply.
      UserState& state = user_state(event.user);
      if (state.script_done && !state.client.has_unsaved_decisions()) {
        if (config_.keep_steps) record.note = "script done and saved: polling stops";
        return;
      }
      if (config_.polls_max && state.polls_fired >= *config_.polls_max) {
        if (config_.keep_steps) record.note = "polls_max reached: polling stops";
        return;
      }
      ++state.polls_fired;
      state.client.on_poll_timer(effects_);
      apply_effects(event.user, record);
      return;
    }
    case EventKind::request_arrival:
      run_request_arrival(event.request, record);
      return;
    case EventKind::kv_command:
      run_kv_command(event.request, record);
      return;
    case EventKind::reply_arrival:
      run_reply_arrival(event.request, record);
      return;
    case EventKind::final_load:
      break;
  }
  RS_ASSERT(false);
}

void Simulation::run_page_load(UserId user, StepRecord& record) {
  user_state(user).client.start(effects_);
  apply_effects(user, record);
}

void Simulation::run_user_action(UserId user, StepRecord& record) {
  UserState& state = user_state(user);
  RS_ASSERT(state.next_action < state.script.actions.size());
  const Action& action = state.script.actions[state.next_action];
  ++state.next_action;

  const CompanyId item_company = is_decision(action.kind) ? catalog_.company_of(action.item) : 0;
  state.client.perform(action, item_company, now_ms_, effects_);
  record.action = action;
  apply_effects(user, record);
  schedule_next_action(user);
}

void Simulation::schedule_next_action(UserId user) {
  UserState& state = user_state(user);
  if (state.next_action == state.script.actions.size()) {
    RS_ASSERT(!state.script_done);
    state.script_done = true;
    --scripts_running_;
    return;
  }
  const Action& next = state.script.actions[state.next_action];
  add_event(EventKind::user_action, user, 0, next.after_ms ? *next.after_ms : draw(scenario_.think_ms));
}

void Simulation::apply_effects(UserId user, StepRecord& record) {
  UserState& state = user_state(user);
  for (Decision& decision : effects_.decisions) {
    result_.observations.decisions.push_back(DecisionRecord{std::move(decision), step_});
  }
  for (const DecisionId decision : effects_.acknowledged) {
    result_.observations.acknowledgements.push_back(Acknowledgement{decision, step_});
  }

  for (Request& request : effects_.requests) {
    const RequestId id = request.id;
    RS_ASSERT(!handlers_.contains(id));
    handlers_.emplace(id, std::make_unique<Handler>(std::move(request), store_));
    ++requests_in_flight_;
    add_event(EventKind::request_arrival, user, id, draw(scenario_.network_ms));
  }

  if (effects_.save_timer != TimerChange::none && state.save_timer_armed) {
    cancel_event(EventKind::save_timer, user);
    state.save_timer_armed = false;
    --save_timers_armed_;
  }
  if (effects_.save_timer == TimerChange::arm) {
    add_event(EventKind::save_timer, user, 0, draw(scenario_.save_delay_ms));
    state.save_timer_armed = true;
    ++save_timers_armed_;
  }

  if (effects_.poll_timer != TimerChange::none) cancel_event(EventKind::poll_timer, user);
  const bool polls_left = !config_.polls_max || state.polls_fired < *config_.polls_max;
  if (effects_.poll_timer == TimerChange::arm && polls_left) {
    add_event(EventKind::poll_timer, user, 0, scenario_.poll_interval_ms);
  }

  if (config_.keep_steps) {
    for (const Notice& notice : effects_.notices) {
      std::string items;
      for (const ItemId item : notice.items) {
        if (!items.empty()) items += ", ";
        items += catalog_.item_name(item);
      }
      if (!record.note.empty()) record.note += "; ";
      record.note += fmt::format("notice \"Updated by another user\" on {}: {}",
                                 catalog_.company_name(notice.company), items);
    }
    if (!effects_.acknowledged.empty()) {
      if (!record.note.empty()) record.note += "; ";
      const std::size_t count = effects_.acknowledged.size();
      record.note += fmt::format("{} decision{} acknowledged", count, count == 1 ? "" : "s");
    }
  }

  // Page ready: the script starts once every page load has its reply.
  if (!state.script_started && state.client.page_ready()) {
    state.script_started = true;
    schedule_next_action(user);
  }
  effects_.clear();
}

void Simulation::run_request_arrival(RequestId request, StepRecord& record) {
  Handler& handler = *handlers_.at(request);
  RS_ASSERT(!handler.started());
  if (config_.keep_steps) {
    const Request& sent = handler.request;
    record.note = sent.kind == Request::Kind::save
                      ? fmt::format("save {} ({} decision{})", catalog_.company_name(sent.company),
                                    sent.save.changes.size(), sent.save.changes.size() == 1 ? "" : "s")
                      : fmt::format("load {}", catalog_.company_name(sent.company));
  }
  if (handler.request.kind == Request::Kind::save) {
    handler.save_program.emplace(strategy_->save(handler.request.save));
    handler.save_program->start();
  } else {
    handler.load_program.emplace(strategy_->load(handler.request.company));
    handler.load_program->start();
  }

  if (handler.done()) {
    handler.take_outcome();
    add_event(EventKind::reply_arrival, user_of(request), request, draw(scenario_.network_ms));
  } else {
    add_event(EventKind::kv_command, user_of(request), request, draw(scenario_.kv_ms));
  }
}

void Simulation::run_kv_command(RequestId request, StepRecord& record) {
  Handler& handler = *handlers_.at(request);
  ProgramSlot& slot = handler.slot();
  record.command = std::move(slot.command);
  record.reply = handler.kv.execute(*record.command);
  if (config_.record_accesses) record_access(handler, *record.command);
  after_command(handler, *record.command, *record.reply, std::move(slot.delta), record.step);
  result_.history->record(record);
  step_recorded_ = true;

  handler.resume(std::move(*record.reply));
  if (handler.done()) {
    handler.take_outcome();
    add_event(EventKind::reply_arrival, user_of(request), request, draw(scenario_.network_ms));
  } else {
    add_event(EventKind::kv_command, user_of(request), request, draw(scenario_.kv_ms));
  }
}

void Simulation::after_command(Handler& handler, const Command& command, const Reply& reply,
                               std::optional<StoreDelta> delta, std::uint32_t step) {
  const UserId user = user_of(handler.request.id);
  if (!handler.in_transaction) {
    if (command.op == Op::multi && !reply.is_error()) {
      handler.in_transaction = true;
    } else if (delta && !reply.is_error()) {
      commit(user, format_command(command, 40), std::move(*delta), step, false);
    }
    return;
  }

  if (command.op == Op::exec || command.op == Op::discard) {
    // EXEC makes the queued writes visible, except those whose own reply is an error. A nil
    // EXEC (a WATCHed key changed) and DISCARD make none visible.
    if (command.op == Op::exec && reply.type == Reply::Type::array) {
      RS_ASSERT(reply.elements.size() == handler.queued_deltas.size());
      for (std::size_t index = 0; index < handler.queued_deltas.size(); ++index) {
        auto& queued = handler.queued_deltas[index];
        if (!queued || reply.elements[index].is_error()) continue;
        commit(user, std::move(handler.queued_commands[index]), std::move(*queued), step, true);
      }
    }
    handler.in_transaction = false;
    handler.queued_deltas.clear();
    handler.queued_commands.clear();
    handler.queued_keys.clear();
    return;
  }
  if (reply.type == Reply::Type::status && reply.text == "QUEUED") {
    handler.queued_keys.emplace_back(hash_key(command.key), writes_store(command.op));
    handler.queued_commands.push_back(delta ? format_command(command, 40) : std::string());
    handler.queued_deltas.push_back(std::move(delta));
  }
}

void Simulation::record_access(const Handler& handler, const Command& command) {
  // The command index of the command just run: commands_issued counts the one scheduled next
  // only once this step has finished.
  const std::uint32_t index = handler.commands_issued - 1;
  if (command.op == Op::exec) {
    for (const auto& [key, writes] : handler.queued_keys) {
      result_.accesses.push_back(KvAccess{handler.request.id, index, key, writes});
    }
  } else if (!handler.in_transaction && command.op != Op::multi && command.op != Op::discard) {
    result_.accesses.push_back(
        KvAccess{handler.request.id, index, hash_key(command.key), writes_store(command.op)});
  }
}

void Simulation::commit(UserId user, std::string command_text, StoreDelta delta,
                        std::uint32_t step, bool by_exec) {
  result_.observations.commits.push_back(
      Commit{step, user, std::move(command_text), std::move(delta), by_exec});
}

void Simulation::run_reply_arrival(RequestId request, StepRecord& record) {
  const auto found = handlers_.find(request);
  RS_ASSERT(found != handlers_.end());
  std::unique_ptr<Handler> handler = std::move(found->second);
  handlers_.erase(found);
  RS_ASSERT(handler->done());
  --requests_in_flight_;

  const UserId user = user_of(request);
  Client& client = user_state(user).client;
  if (handler->request.kind == Request::Kind::save) {
    client.on_save_reply(request, handler->save_outcome.ok, effects_);
    if (config_.keep_steps && !handler->save_outcome.ok) {
      record.note = "save failed: " + handler->save_outcome.error;
    }
  } else if (handler->load_outcome.ok) {
    client.on_load_reply(request, handler->request.company, std::move(handler->load_outcome.state),
                         effects_);
  } else {
    client.on_load_failed(request);
    if (config_.keep_steps) record.note = "load failed: " + handler->load_outcome.error;
  }
  apply_effects(user, record);
}

void Simulation::run_final_loads() {
  History& history = *result_.history;
  for (UserState& state : users_) {
    const UserId user = state.client.user();
    result_.observations.final_views.emplace_back();
    for (std::size_t index = 0; index < catalog_.companies_count(); ++index) {
      const auto company = static_cast<CompanyId>(index);
      MemoryKv kv(store_);
      Program<LoadOutcome> program = strategy_->load(company);
      for (program.start(); !program.done();) {
        StepRecord record;
        record.step = ++step_;
        record.time_ms = now_ms_;
        record.kind = EventKind::final_load;
        record.user = user;
        record.command = std::move(program.slot().command);
        record.reply = kv.execute(*record.command);
        history.record(record);
        program.resume(std::move(*record.reply));
      }
      LoadOutcome outcome = program.take_result();
      RS_ASSERT(outcome.ok);
      state.client.apply_final_load(company, std::move(outcome.state));
    }
    result_.observations.final_views.back() = state.client.views();
  }
}

StateAtStep Simulation::state_at_step() {
  StateAtStep state;
  state.step = step_;
  for (const UserState& user : users_) state.views.push_back(user.client.views());
  state.store = snapshot_store();
  return state;
}

std::vector<CompanyState> Simulation::snapshot_store() {
  std::vector<CompanyState> snapshot;
  MemoryKv kv(store_);
  for (std::size_t index = 0; index < catalog_.companies_count(); ++index) {
    LoadOutcome outcome = run_program(strategy_->load(static_cast<CompanyId>(index)), kv);
    RS_ASSERT(outcome.ok);
    snapshot.push_back(std::move(outcome.state));
  }
  return snapshot;
}

}  // namespace

SimulationResult simulate(const SimulationConfig& config) {
  RS_ASSERT(config.scenario != nullptr);
  Simulation simulation(config);
  return simulation.run();
}

}  // namespace reviewsim
