#pragma once

// ReviewStore: the API a service uses to keep the review app's state in Redis.
//
// Review decisions (approve, reject, manual match, clear) and company loads run the programs of
// the `hset-multi` strategy, the very code the simulator checks, through
// run_program_pipelined(). Each decision is one MULTI/EXEC block (HSET into its status hash,
// HDEL from the other two) sent in one round trip. A load reads the company's three hashes
// inside one MULTI/EXEC. Keys: match-review:<company>:approved|rejected|manual, field =
// item name, value = entry JSON {"by": "u1", "seq": 3, "at": 1530} plus "node" for manual
// matches (adapters/review_json.h).
//
// The app's other entity maps use the same per-entity hash layout: one hash per (map, company)
// at review-entity:<map>:<company>, field = entity id, value = the caller's JSON. Writing one
// entity never rewrites another, so concurrent writers on different entities cannot lose each
// other's updates.
//
// The two whole documents are one JSON string each at review-document:<document>:<company>.
// update_document() runs an optimistic read-merge-write: WATCH, GET, merge, MULTI, SET, EXEC.
// When another writer changes the document in between, EXEC aborts and the update starts
// again from the new value, up to Options::document_attempts_max times. When every attempt
// aborts it throws a retryable StoreError; it never reports success for a write it did not make.
//
// Item names: the strategy programs work on the model's item ids, which a Catalog maps to
// names. ReviewStore builds a fresh Catalog for every call: for a decision it holds the
// company and the items decided, and for a load it learns each item name from the HGETALL
// replies before the program decodes them. So any item name works without registration, and
// no state is kept between calls.
//
// Users: entries name their author as the model does, "u1".."u5" (and "import" for migrated
// entries), so Author::user is a model UserId from 1 to kUsersMax.
// NOTE: a service with more users needs Entry and DecisionId in model/ to carry a wider user
// identity; the entry JSON and the strategies then follow.
//
// Threads: a ReviewStore uses one Kv connection and is not thread-safe. Give each thread its
// own connection and its own ReviewStore.
//
// Errors: invalid arguments, Redis error replies (for example WRONGTYPE when a key holds a
// value of the other type), stored data that does not decode and exhausted document retries
// throw StoreError. Connection failures throw KvError (adapters/redis_kv.h) unchanged. After
// a KvError a decision may or may not be stored; a load shows which.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/kv.h"
#include "model/company_state.h"
#include "model/decision.h"

namespace reviewsim {

enum class StoreErrorKind : std::uint8_t {
  invalid_argument,  // an empty name, a user out of range, JSON that does not parse
  store_failed,      // Redis returned an error reply, or stored data does not decode
  conflict,          // every attempt of a document update lost to a concurrent writer
};

class StoreError : public std::runtime_error {
 public:
  StoreError(StoreErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  StoreErrorKind kind() const { return kind_; }
  // True when the same call may succeed if made again.
  bool retryable() const { return kind_ == StoreErrorKind::conflict; }

 private:
  StoreErrorKind kind_;
};

// The author and time of a decision, stored as the entry's "by", "seq" and "at".
struct Author {
  UserId user = 1;        // 1..kUsersMax
  std::uint32_t seq = 0;  // the user's decision counter; (user, seq) identifies the decision
  TimeMs at_ms = 0;       // when the user decided, in milliseconds on the app's clock
};

// One decision on one item of a company.
struct ReviewDecision {
  DecisionKind kind = DecisionKind::approve;
  std::string item;
  std::string node;  // the manual node: required for manual_match, empty otherwise
  Author author;
};

// A company's review state by item name: one map per status. An item in two maps is a status
// conflict. ReviewStore never writes one, but a load shows it when the store contains one.
struct ReviewState {
  using EntryMap = std::map<std::string, Entry>;

  std::array<EntryMap, kStatusCount> maps;

  const EntryMap& map(Status status) const { return maps[static_cast<int>(status)]; }
  EntryMap& map(Status status) { return maps[static_cast<int>(status)]; }
  // The statuses that hold `item`, in status order.
  std::vector<Status> statuses_of(std::string_view item) const;
  std::size_t entries_count() const;

  friend bool operator==(const ReviewState&, const ReviewState&) = default;
};

// One entry that appeared or changed since a poll cursor.
struct EntryChange {
  std::string item;
  Status status = Status::approved;
  Entry entry;

  friend bool operator==(const EntryChange&, const EntryChange&) = default;
};

// The decision id of every (item, status) entry that a client saw at its last poll. The next
// poll reports the entries whose decision differs. The cursor depends on no clock, so a write
// that commits late with an early "at" is still reported. Its encoded size grows by about 20
// bytes plus the item name per decided item.
class PollCursor {
 public:
  // The cursor of a client that has seen `state`.
  static PollCursor of(const ReviewState& state);
  // Parses encode()'s text. Throws StoreError (invalid_argument) for anything else.
  static PollCursor decode(std::string_view text);
  // Compact JSON text, for a service to hand to its client and take back on the next poll.
  std::string encode() const;

  // The entries of `state` that are not in this cursor with the same decision id.
  std::vector<EntryChange> changes_in(const ReviewState& state) const;

  friend bool operator==(const PollCursor&, const PollCursor&) = default;

 private:
  std::map<std::pair<std::string, Status>, DecisionId> seen_;
};

struct PollResult {
  ReviewState state;
  // Entries that changed since the cursor and whose author is another user than the poller:
  // the items of the app's "Updated by another user" notice. Entries by "import" (the
  // migration) do not count. Removals (a clear) leave no entry and are not reported.
  std::vector<EntryChange> changed_by_others;
  // The cursor to pass to the next poll.
  PollCursor cursor;
};

// The app's per-entity maps.
enum class EntityMap : std::uint8_t { corrections, sizes, field_edits, merges, resolutions };
// The app's whole documents.
enum class Document : std::uint8_t { graduated_map, autosave };

// "corrections", "sizes", "field-edits", "merges", "resolutions".
std::string_view entity_map_name(EntityMap map);
// "graduated-map", "autosave".
std::string_view document_name(Document document);

// Key names of the layout above.
std::string entity_map_key(EntityMap map, std::string_view company);
std::string document_key(Document document, std::string_view company);

// Computes a document's new JSON text from its current text (nullopt when it does not exist
// yet). update_document() may call it more than once, once per attempt, so it must not have
// side effects. An exception it throws propagates out of update_document() unchanged.
using DocumentMerge = std::function<std::string(const std::optional<std::string>& current)>;

class ReviewStore {
 public:
  struct Options {
    // Attempts of one update_document() before it throws a conflict StoreError.
    int document_attempts_max = 8;
  };

  // Uses `kv`, which must outlive the store, for every command.
  explicit ReviewStore(Kv& kv);
  ReviewStore(Kv& kv, Options options);

  // Decisions. Each is stored with one MULTI/EXEC block in one round trip.
  void approve(std::string_view company, std::string_view item, const Author& author);
  void reject(std::string_view company, std::string_view item, const Author& author);
  void manual_match(std::string_view company, std::string_view item, std::string_view node,
                    const Author& author);
  // Removes the item from every status.
  void clear(std::string_view company, std::string_view item, const Author& author);
  // Stores several decisions of one company in order, one MULTI/EXEC block each. When one
  // fails, the ones before it stay stored and the ones after it are not sent.
  void save(std::string_view company, std::span<const ReviewDecision> decisions);

  // Reads the company's three status hashes in one MULTI/EXEC, so the state is a snapshot.
  ReviewState load(std::string_view company);
  // Loads the company and reports what other users changed since `since`. With nullopt (the
  // client's first load) it reports nothing and only returns the first cursor.
  PollResult poll(std::string_view company, UserId user, const std::optional<PollCursor>& since);

  // Entity maps: entity id to the caller's JSON text, which must parse as JSON.
  void put_entity(EntityMap map, std::string_view company, std::string_view id,
                  std::string_view json);
  std::optional<std::string> get_entity(EntityMap map, std::string_view company,
                                        std::string_view id);
  // Returns false when the entity did not exist.
  bool delete_entity(EntityMap map, std::string_view company, std::string_view id);
  // Every entity of the map, by id.
  std::map<std::string, std::string> load_entities(EntityMap map, std::string_view company);

  std::optional<std::string> read_document(Document document, std::string_view company);
  // Replaces the document with merge(current) atomically and returns the text it stored.
  // Throws StoreError (conflict, retryable) when every attempt lost to a concurrent writer.
  std::string update_document(Document document, std::string_view company,
                              const DocumentMerge& merge);

 private:
  void decide(std::string_view company, ReviewDecision decision);

  Kv& kv_;
  Options options_;
};

}  // namespace reviewsim
