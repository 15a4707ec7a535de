#include "adapters/review_store.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "adapters/hash_strategies.h"
#include "adapters/program.h"
#include "adapters/strategy.h"
#include "model/assert.h"
#include "model/catalog.h"

namespace reviewsim {

namespace {

using nlohmann::json;

constexpr std::string_view kCursorFormat = "review-poll-cursor/1";

spdlog::logger& store_log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    std::shared_ptr<spdlog::logger> existing = spdlog::get("review-store");
    return existing ? existing : spdlog::stderr_color_mt("review-store");
  }();
  return *logger;
}

void require_name(std::string_view value_name, std::string_view value) {
  if (value.empty()) {
    throw StoreError(StoreErrorKind::invalid_argument,
                     fmt::format("{} must not be empty", value_name));
  }
}

void require_json(std::string_view value_name, std::string_view text) {
  if (!json::accept(text)) {
    throw StoreError(StoreErrorKind::invalid_argument,
                     fmt::format("{} is not valid JSON", value_name));
  }
}

void require_decision(const ReviewDecision& decision) {
  require_name("item", decision.item);
  const UserId user = decision.author.user;
  if (user < 1 || user > kUsersMax) {
    throw StoreError(StoreErrorKind::invalid_argument,
                     fmt::format("user {} is out of range, expected 1 to {}", user, kUsersMax));
  }
  const bool manual = decision.kind == DecisionKind::manual_match;
  if (manual && decision.node.empty()) {
    throw StoreError(StoreErrorKind::invalid_argument,
                     fmt::format("manual match of item \"{}\" has no node", decision.item));
  }
  if (!manual && !decision.node.empty()) {
    throw StoreError(StoreErrorKind::invalid_argument,
                     fmt::format("{} of item \"{}\" carries a node, which only a manual match "
                                 "may", decision_kind_name(decision.kind), decision.item));
  }
}

// "match-review:acme:approved|rejected|manual", to name a company's hashes in messages.
std::string hash_keys_text(std::string_view company) {
  return fmt::format("match-review:{}:approved|rejected|manual", company);
}

[[noreturn]] void throw_store_failed(std::string message) {
  store_log().error("{}", message);
  throw StoreError(StoreErrorKind::store_failed, message);
}

// A Kv that forwards every command to another and, before the caller sees a reply, adds the
// field names of each HGETALL reply to a catalog as items of one company. A load program
// decodes fields by item name, so this lets it read items that no caller registered.
class ItemLearningKv final : public Kv {
 public:
  ItemLearningKv(Kv& inner, Catalog& catalog, CompanyId company)
      : inner_(inner), catalog_(catalog), company_(company) {}

  Reply execute(const Command& command) override {
    Reply reply = inner_.execute(command);
    observe(command, reply);
    return reply;
  }

  std::vector<Reply> execute_pipeline(std::span<const Command> commands) override {
    std::vector<Reply> replies = inner_.execute_pipeline(commands);
    RS_ASSERT(replies.size() == commands.size());
    for (std::size_t index = 0; index < commands.size(); ++index) {
      observe(commands[index], replies[index]);
    }
    return replies;
  }

 private:
  // Follows MULTI/EXEC so that an HGETALL queued in a transaction is read from EXEC's reply.
  void observe(const Command& command, const Reply& reply) {
    if (command.op == Op::multi) {
      in_transaction_ = !reply.is_error();
      queued_ops_.clear();
    } else if (in_transaction_ && (command.op == Op::exec || command.op == Op::discard)) {
      if (command.op == Op::exec && reply.elements.size() == queued_ops_.size()) {
        for (std::size_t index = 0; index < queued_ops_.size(); ++index) {
          if (queued_ops_[index] == Op::hgetall) learn(reply.elements[index]);
        }
      }
      in_transaction_ = false;
    } else if (in_transaction_) {
      queued_ops_.push_back(command.op);
    } else if (command.op == Op::hgetall) {
      learn(reply);
    }
  }

  void learn(const Reply& reply) {
    if (reply.type != Reply::Type::array) return;
    for (std::size_t index = 0; index + 1 < reply.elements.size(); index += 2) {
      const std::string& name = reply.elements[index].text;
      if (!catalog_.find_item(name)) catalog_.add_item(company_, name);
    }
  }

  Kv& inner_;
  Catalog& catalog_;
  CompanyId company_;
  bool in_transaction_ = false;
  std::vector<Op> queued_ops_;
};

struct DocumentAttempt {
  enum class Result : std::uint8_t { stored, aborted, failed };
  Result result = Result::failed;
  std::string text;  // the stored document, or what failed
};

// One optimistic read-merge-write of a document: WATCH and GET in one round trip, then MULTI,
// SET and EXEC in another. EXEC returns nil, and the attempt is `aborted`, when another client
// changed the key after the WATCH.
Program<DocumentAttempt> document_attempt(std::string key, DocumentMerge merge) {
  Command watch{Op::watch, key, {}, {}};
  co_await kv_send(watch);
  Command get{Op::get, key, {}, {}};
  const Reply current = co_await kv_call(get);

  std::string merged;
  std::exception_ptr merge_error;
  if (!current.is_error()) {
    try {
      merged = merge(current.is_nil() ? std::nullopt : std::optional<std::string>(current.text));
    } catch (...) {
      merge_error = std::current_exception();
    }
  }
  const bool invalid = !current.is_error() && !merge_error && !json::accept(merged);
  if (current.is_error() || merge_error || invalid) {
    // The connection stays in use after this call, so its WATCH must not linger.
    Command unwatch{Op::unwatch, {}, {}, {}};
    co_await kv_call(unwatch);
    if (merge_error) std::rethrow_exception(merge_error);
    if (invalid) throw StoreError(StoreErrorKind::invalid_argument,
                                  fmt::format("the merge of {} returned invalid JSON", key));
    co_return DocumentAttempt{DocumentAttempt::Result::failed, current.text};
  }

  Command multi{Op::multi, {}, {}, {}};
  co_await kv_send(multi);
  Command set{Op::set, key, {}, merged};
  co_await kv_send(set);
  Command exec{Op::exec, {}, {}, {}};
  const Reply executed = co_await kv_call(exec);
  if (executed.is_nil()) co_return DocumentAttempt{DocumentAttempt::Result::aborted, {}};
  if (executed.is_error()) {
    co_return DocumentAttempt{DocumentAttempt::Result::failed, executed.text};
  }
  RS_ASSERT(executed.elements.size() == 1);
  if (executed.elements[0].is_error()) {
    co_return DocumentAttempt{DocumentAttempt::Result::failed, executed.elements[0].text};
  }
  co_return DocumentAttempt{DocumentAttempt::Result::stored, std::move(merged)};
}

std::optional<Status> parse_status(std::string_view name) {
  for (const Status status : kStatuses) {
    if (status_name(status) == name) return status;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Status> ReviewState::statuses_of(std::string_view item) const {
  std::vector<Status> statuses;
  for (const Status status : kStatuses) {
    if (map(status).contains(std::string(item))) statuses.push_back(status);
  }
  return statuses;
}

std::size_t ReviewState::entries_count() const {
  std::size_t count = 0;
  for (const EntryMap& entries : maps) count += entries.size();
  return count;
}

PollCursor PollCursor::of(const ReviewState& state) {
  PollCursor cursor;
  for (const Status status : kStatuses) {
    for (const auto& [item, entry] : state.map(status)) cursor.seen_[{item, status}] = entry.id;
  }
  return cursor;
}

std::string PollCursor::encode() const {
  json entries = json::array();
  for (const auto& [key, id] : seen_) {
    entries.push_back(json::array({key.first, status_name(key.second), id.user, id.seq}));
  }
  return json{{"format", kCursorFormat}, {"entries", std::move(entries)}}.dump();
}

PollCursor PollCursor::decode(std::string_view text) {
  const auto invalid = [](std::string_view problem) {
    return StoreError(StoreErrorKind::invalid_argument,
                      fmt::format("invalid poll cursor: {}", problem));
  };
  const json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) throw invalid("not a JSON object");
  const auto format = parsed.find("format");
  if (format == parsed.end() || *format != kCursorFormat) {
    throw invalid(fmt::format("\"format\" is not \"{}\"", kCursorFormat));
  }
  const auto entries = parsed.find("entries");
  if (entries == parsed.end() || !entries->is_array()) throw invalid("\"entries\" is not an array");

  PollCursor cursor;
  for (const json& entry : *entries) {
    const bool shaped = entry.is_array() && entry.size() == 4 && entry[0].is_string() &&
                        entry[1].is_string() && entry[2].is_number_unsigned() &&
                        entry[3].is_number_unsigned();
    if (!shaped) throw invalid("an entry is not [item, status, user, seq]");
    const auto status = parse_status(entry[1].get<std::string>());
    if (!status) throw invalid(fmt::format("unknown status \"{}\"", entry[1].get<std::string>()));
    const auto user = entry[2].get<std::uint64_t>();
    if (user > kUsersMax) throw invalid(fmt::format("user {} is out of range", user));
    const auto seq = entry[3].get<std::uint64_t>();
    if (seq > UINT32_MAX) throw invalid(fmt::format("seq {} is out of range", seq));
    cursor.seen_[{entry[0].get<std::string>(), *status}] =
        DecisionId{static_cast<UserId>(user), static_cast<std::uint32_t>(seq)};
  }
  return cursor;
}

std::vector<EntryChange> PollCursor::changes_in(const ReviewState& state) const {
  std::vector<EntryChange> changes;
  for (const Status status : kStatuses) {
    for (const auto& [item, entry] : state.map(status)) {
      const auto seen = seen_.find({item, status});
      if (seen != seen_.end() && seen->second == entry.id) continue;
      changes.push_back(EntryChange{item, status, entry});
    }
  }
  std::sort(changes.begin(), changes.end(), [](const EntryChange& left, const EntryChange& right) {
    return std::tie(left.item, left.status) < std::tie(right.item, right.status);
  });
  return changes;
}

std::string_view entity_map_name(EntityMap map) {
  switch (map) {
    case EntityMap::corrections: return "corrections";
    case EntityMap::sizes: return "sizes";
    case EntityMap::field_edits: return "field-edits";
    case EntityMap::merges: return "merges";
    case EntityMap::resolutions: return "resolutions";
  }
  RS_ASSERT(false);
}

std::string_view document_name(Document document) {
  switch (document) {
    case Document::graduated_map: return "graduated-map";
    case Document::autosave: return "autosave";
  }
  RS_ASSERT(false);
}

std::string entity_map_key(EntityMap map, std::string_view company) {
  return fmt::format("review-entity:{}:{}", entity_map_name(map), company);
}

std::string document_key(Document document, std::string_view company) {
  return fmt::format("review-document:{}:{}", document_name(document), company);
}

ReviewStore::ReviewStore(Kv& kv) : ReviewStore(kv, Options{}) {}

ReviewStore::ReviewStore(Kv& kv, Options options) : kv_(kv), options_(options) {
  RS_ASSERT(options_.document_attempts_max >= 1);
}

void ReviewStore::approve(std::string_view company, std::string_view item, const Author& author) {
  decide(company, ReviewDecision{DecisionKind::approve, std::string(item), {}, author});
}

void ReviewStore::reject(std::string_view company, std::string_view item, const Author& author) {
  decide(company, ReviewDecision{DecisionKind::reject, std::string(item), {}, author});
}

void ReviewStore::manual_match(std::string_view company, std::string_view item,
                               std::string_view node, const Author& author) {
  decide(company,
         ReviewDecision{DecisionKind::manual_match, std::string(item), std::string(node), author});
}

void ReviewStore::clear(std::string_view company, std::string_view item, const Author& author) {
  decide(company, ReviewDecision{DecisionKind::clear, std::string(item), {}, author});
}

void ReviewStore::decide(std::string_view company, ReviewDecision decision) {
  save(company, std::span<const ReviewDecision>(&decision, 1));
}

void ReviewStore::save(std::string_view company, std::span<const ReviewDecision> decisions) {
  require_name("company", company);
  for (const ReviewDecision& decision : decisions) require_decision(decision);
  if (decisions.empty()) return;

  Catalog catalog;
  const CompanyId company_id = catalog.add_company(std::string(company));
  SaveRequest request;
  request.company = company_id;
  request.payload = Payload::changed_entries;
  for (const ReviewDecision& decision : decisions) {
    const auto known = catalog.find_item(decision.item);
    const ItemId item = known ? *known : catalog.add_item(company_id, decision.item);
    const Author& author = decision.author;
    request.changes.push_back(Decision{DecisionId{author.user, author.seq}, company_id, item,
                                       decision.kind, decision.node, author.at_ms});
  }

  const HashStrategy strategy(catalog, /*transactional=*/true);
  const SaveOutcome outcome = run_program_pipelined(strategy.save(std::move(request)), kv_);
  if (!outcome.ok) {
    throw_store_failed(fmt::format("saving {} decision(s) of company \"{}\" failed at keys {}: {}",
                                   decisions.size(), company, hash_keys_text(company),
                                   outcome.error));
  }
}

ReviewState ReviewStore::load(std::string_view company) {
  require_name("company", company);
  Catalog catalog;
  const CompanyId company_id = catalog.add_company(std::string(company));
  const HashStrategy strategy(catalog, /*transactional=*/true);
  ItemLearningKv learning_kv(kv_, catalog, company_id);
  LoadOutcome outcome = run_program_pipelined(strategy.load(company_id), learning_kv);
  if (!outcome.ok) {
    throw_store_failed(fmt::format("loading company \"{}\" failed at keys {}: {}", company,
                                   hash_keys_text(company), outcome.error));
  }

  ReviewState state;
  for (const Status status : kStatuses) {
    for (const auto& [item, entry] : outcome.state.map(status)) {
      state.map(status).emplace(catalog.item_name(item), entry);
    }
  }
  return state;
}

PollResult ReviewStore::poll(std::string_view company, UserId user,
                             const std::optional<PollCursor>& since) {
  PollResult result;
  result.state = load(company);
  result.cursor = PollCursor::of(result.state);
  if (!since) return result;
  for (EntryChange& change : since->changes_in(result.state)) {
    const UserId author = change.entry.id.user;
    if (author == user || author == kImportUser) continue;
    result.changed_by_others.push_back(std::move(change));
  }
  return result;
}

void ReviewStore::put_entity(EntityMap map, std::string_view company, std::string_view id,
                             std::string_view json_text) {
  require_name("company", company);
  require_name("entity id", id);
  require_json(fmt::format("the value of {} entity \"{}\"", entity_map_name(map), id), json_text);
  const std::string key = entity_map_key(map, company);
  const Reply reply = kv_.execute(Command{Op::hset, key, std::string(id), std::string(json_text)});
  if (reply.is_error()) {
    throw_store_failed(
        fmt::format("storing entity \"{}\" at key {} failed: {}", id, key, reply.text));
  }
}

std::optional<std::string> ReviewStore::get_entity(EntityMap map, std::string_view company,
                                                   std::string_view id) {
  require_name("company", company);
  require_name("entity id", id);
  const std::string key = entity_map_key(map, company);
  Reply reply = kv_.execute(Command{Op::hget, key, std::string(id), {}});
  if (reply.is_error()) {
    throw_store_failed(
        fmt::format("reading entity \"{}\" at key {} failed: {}", id, key, reply.text));
  }
  if (reply.is_nil()) return std::nullopt;
  return std::move(reply.text);
}

bool ReviewStore::delete_entity(EntityMap map, std::string_view company, std::string_view id) {
  require_name("company", company);
  require_name("entity id", id);
  const std::string key = entity_map_key(map, company);
  const Reply reply = kv_.execute(Command{Op::hdel, key, std::string(id), {}});
  if (reply.is_error()) {
    throw_store_failed(
        fmt::format("deleting entity \"{}\" at key {} failed: {}", id, key, reply.text));
  }
  return reply.integer == 1;
}

std::map<std::string, std::string> ReviewStore::load_entities(EntityMap map,
                                                              std::string_view company) {
  require_name("company", company);
  const std::string key = entity_map_key(map, company);
  Reply reply = kv_.execute(Command{Op::hgetall, key, {}, {}});
  if (reply.is_error()) {
    throw_store_failed(fmt::format("reading entities at key {} failed: {}", key, reply.text));
  }
  std::map<std::string, std::string> entities;
  for (std::size_t index = 0; index + 1 < reply.elements.size(); index += 2) {
    entities.emplace(std::move(reply.elements[index].text),
                     std::move(reply.elements[index + 1].text));
  }
  return entities;
}

std::optional<std::string> ReviewStore::read_document(Document document,
                                                      std::string_view company) {
  require_name("company", company);
  const std::string key = document_key(document, company);
  Reply reply = kv_.execute(Command{Op::get, key, {}, {}});
  if (reply.is_error()) {
    throw_store_failed(fmt::format("reading document at key {} failed: {}", key, reply.text));
  }
  if (reply.is_nil()) return std::nullopt;
  return std::move(reply.text);
}

std::string ReviewStore::update_document(Document document, std::string_view company,
                                         const DocumentMerge& merge) {
  require_name("company", company);
  const std::string key = document_key(document, company);
  for (int attempt = 1; attempt <= options_.document_attempts_max; ++attempt) {
    DocumentAttempt outcome = run_program_pipelined(document_attempt(key, merge), kv_);
    switch (outcome.result) {
      case DocumentAttempt::Result::stored:
        return std::move(outcome.text);
      case DocumentAttempt::Result::failed:
        throw_store_failed(
            fmt::format("updating document at key {} failed: {}", key, outcome.text));
      case DocumentAttempt::Result::aborted:
        store_log().info("document update retry key={} attempt={}/{} reason=\"changed by another "
                         "writer\"", key, attempt, options_.document_attempts_max);
        break;
    }
  }
  const std::string message = fmt::format(
      "updating document at key {} lost to concurrent writers {} times in a row; nothing was "
      "written, try again", key, options_.document_attempts_max);
  store_log().warn("document update conflict key={} attempts={}", key,
                   options_.document_attempts_max);
  throw StoreError(StoreErrorKind::conflict, message);
}

}  // namespace reviewsim
