// The blob layout: one JSON string per company under match-review:<company>.
// full-overwrite replaces it with the client's view; read-merge-write reads it, merges the
// payload and writes it back, two steps apart.

#include "adapters/blob_strategies.h"

#include "adapters/review_json.h"

namespace reviewsim {

namespace {

// The write of a whole blob. The clears among `changes` whose item the blob no longer holds
// become removals, so that the checkers see when each clear was committed.
StoreDelta replacement_delta(CompanyId company, const CompanyState& state,
                             const std::vector<Decision>& changes = {}) {
  StoreDelta delta;
  delta.key_company = company;
  delta.replaces_company = true;
  for (const Status status : kStatuses) {
    for (const auto& [item, entry] : state.map(status)) {
      delta.puts.push_back(EntryPut{item, status, entry});
    }
  }
  for (const Decision& decision : changes) {
    if (decision.kind != DecisionKind::clear) continue;
    if (!state.statuses_of(decision.item).empty()) continue;
    for (const Status status : kStatuses) {
      delta.removals.push_back(EntryRemoval{decision.item, status, decision.id});
    }
  }
  return delta;
}

}  // namespace

BlobStrategy::BlobStrategy(const Catalog& catalog) : catalog_(catalog) {}

Program<LoadOutcome> BlobStrategy::load(CompanyId company) const {
  Command get{Op::get, blob_key(catalog_, company), {}, {}};
  const Reply reply = co_await kv_call(get);
  if (reply.is_error()) co_return LoadOutcome{false, reply.text, {}};
  if (reply.is_nil()) co_return LoadOutcome{};
  try {
    co_return LoadOutcome{true, {}, decode_blob(reply.text, catalog_)};
  } catch (const DecodeError& error) {
    co_return LoadOutcome{false, error.what(), {}};
  }
}

Program<SaveOutcome> BlobStrategy::seed(CompanyId company, CompanyState state) const {
  Command set{Op::set, blob_key(catalog_, company), {}, encode_blob(state, catalog_)};
  StoreDelta delta = replacement_delta(company, state);
  const Reply reply = co_await kv_call(set, delta);
  if (reply.is_error()) co_return SaveOutcome{false, reply.text};
  co_return SaveOutcome{};
}

Program<SaveOutcome> FullOverwriteStrategy::save(SaveRequest request) const {
  // The client's whole view replaces whatever the store holds.
  Command set{Op::set, blob_key(catalog_, request.company), {}, encode_blob(request.view, catalog_)};
  StoreDelta delta = replacement_delta(request.company, request.view, request.changes);
  const Reply reply = co_await kv_call(set, delta);
  if (reply.is_error()) co_return SaveOutcome{false, reply.text};
  co_return SaveOutcome{};
}

Program<SaveOutcome> ReadMergeWriteStrategy::save(SaveRequest request) const {
  Command get{Op::get, blob_key(catalog_, request.company), {}, {}};
  const Reply current = co_await kv_call(get);
  if (current.is_error()) co_return SaveOutcome{false, current.text};

  CompanyState blob;
  if (!current.is_nil()) {
    try {
      blob = decode_blob(current.text, catalog_);
    } catch (const DecodeError& error) {
      co_return SaveOutcome{false, error.what()};
    }
  }

  // Merging is per item: a payload entry moves its item into the entry's status. A whole-view
  // payload cannot express a clear, so items cleared in the view stay in the blob.
  if (request.payload == Payload::whole_view) {
    for (const Status status : kStatuses) {
      for (const auto& [item, entry] : request.view.map(status)) blob.put(item, status, entry);
    }
  } else {
    for (const Decision& decision : request.changes) blob.apply(decision);
  }

  Command set{Op::set, blob_key(catalog_, request.company), {}, encode_blob(blob, catalog_)};
  StoreDelta delta = replacement_delta(request.company, blob, request.changes);
  const Reply written = co_await kv_call(set, delta);
  if (written.is_error()) co_return SaveOutcome{false, written.text};
  co_return SaveOutcome{};
}

}  // namespace reviewsim
