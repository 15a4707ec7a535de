#include "adapters/hash_strategies.h"

#include "adapters/review_json.h"

namespace reviewsim {

namespace {

// The first error among a reply and, for EXEC, the replies of its queued commands.
const Reply* first_error(const Reply& reply) {
  if (reply.is_error()) return &reply;
  for (const Reply& element : reply.elements) {
    if (element.is_error()) return &element;
  }
  return nullptr;
}

void add_hash_fields(const Reply& reply, Status status, const Catalog& catalog,
                     CompanyState& state) {
  for (std::size_t index = 0; index + 1 < reply.elements.size(); index += 2) {
    const std::string& name = reply.elements[index].text;
    const auto item = catalog.find_item(name);
    if (!item) throw DecodeError("hash field names unknown item \"" + name + "\"");
    state.map(status)[*item] = decode_entry(reply.elements[index + 1].text);
  }
}

}  // namespace

HashStrategy::HashStrategy(const Catalog& catalog, bool transactional)
    : catalog_(catalog), transactional_(transactional) {}

std::vector<std::pair<Command, StoreDelta>> HashStrategy::decision_commands(
    CompanyId key_company, const Decision& decision) const {
  const std::string field = catalog_.item_name(decision.item);
  const auto target = target_status(decision.kind);
  std::vector<std::pair<Command, StoreDelta>> commands;
  commands.reserve(std::size(kStatuses));

  if (target) {
    const Entry entry = entry_of(decision);
    StoreDelta delta{key_company, false, {EntryPut{decision.item, *target, entry}}, {}};
    commands.emplace_back(
        Command{Op::hset, hash_key(catalog_, key_company, *target), field, encode_entry(entry)},
        std::move(delta));
  }
  for (const Status status : kStatuses) {
    if (target && status == *target) continue;
    StoreDelta delta{key_company, false, {}, {EntryRemoval{decision.item, status, decision.id}}};
    commands.emplace_back(Command{Op::hdel, hash_key(catalog_, key_company, status), field, {}},
                          std::move(delta));
  }
  return commands;
}

Program<SaveOutcome> HashStrategy::save(SaveRequest request) const {
  for (const Decision& decision : request.changes) {
    auto commands = decision_commands(request.company, decision);
    if (!transactional_) {
      for (auto& [command, delta] : commands) {
        const Reply reply = co_await kv_call(command, delta);
        if (reply.is_error()) co_return SaveOutcome{false, reply.text};
      }
      continue;
    }

    Command multi{Op::multi, {}, {}, {}};
    const Reply begun = co_await kv_send(multi);
    if (begun.is_error()) co_return SaveOutcome{false, begun.text};
    for (auto& [command, delta] : commands) co_await kv_send(command, delta);
    Command exec{Op::exec, {}, {}, {}};
    const Reply executed = co_await kv_call(exec);
    if (const Reply* error = first_error(executed)) co_return SaveOutcome{false, error->text};
    if (executed.is_nil()) co_return SaveOutcome{false, "EXEC aborted"};
  }
  co_return SaveOutcome{};
}

Program<LoadOutcome> HashStrategy::load(CompanyId company) const {
  CompanyState state;
  try {
    if (!transactional_) {
      for (const Status status : kStatuses) {
        Command hgetall{Op::hgetall, hash_key(catalog_, company, status), {}, {}};
        const Reply reply = co_await kv_call(hgetall);
        if (reply.is_error()) co_return LoadOutcome{false, reply.text, {}};
        add_hash_fields(reply, status, catalog_, state);
      }
      co_return LoadOutcome{true, {}, std::move(state)};
    }

    Command multi{Op::multi, {}, {}, {}};
    co_await kv_send(multi);
    for (const Status status : kStatuses) {
      Command hgetall{Op::hgetall, hash_key(catalog_, company, status), {}, {}};
      co_await kv_send(hgetall);
    }
    Command exec{Op::exec, {}, {}, {}};
    const Reply executed = co_await kv_call(exec);
    if (const Reply* error = first_error(executed)) co_return LoadOutcome{false, error->text, {}};
    if (executed.elements.size() != kStatusCount) {
      co_return LoadOutcome{false, "EXEC returned " + std::to_string(executed.elements.size()) +
                                       " replies, expected 3", {}};
    }
    for (const Status status : kStatuses) {
      add_hash_fields(executed.elements[static_cast<int>(status)], status, catalog_, state);
    }
  } catch (const DecodeError& error) {
    co_return LoadOutcome{false, error.what(), {}};
  }
  co_return LoadOutcome{true, {}, std::move(state)};
}

Program<SaveOutcome> HashStrategy::seed(CompanyId company, CompanyState state) const {
  for (const Status status : kStatuses) {
    for (const auto& [item, entry] : state.map(status)) {
      StoreDelta delta{company, false, {EntryPut{item, status, entry}}, {}};
      Command hset{Op::hset, hash_key(catalog_, company, status), catalog_.item_name(item),
                   encode_entry(entry)};
      const Reply reply = co_await kv_call(hset, delta);
      if (reply.is_error()) co_return SaveOutcome{false, reply.text};
    }
  }
  co_return SaveOutcome{};
}

}  // namespace reviewsim
