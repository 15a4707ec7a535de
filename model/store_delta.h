#pragma once

// The effect of one KV write command on the store, in model terms. A strategy program attaches
// a delta to each write command it issues, and the engine records the delta at the step where the
// write becomes visible (the command itself, or the EXEC of its transaction). Checkers replay
// the deltas to know, at every step, which decision each stored entry came from.

#include <vector>

#include "model/company_state.h"

namespace reviewsim {

struct EntryPut {
  ItemId item = 0;
  Status status = Status::approved;
  Entry entry;
};

struct EntryRemoval {
  ItemId item = 0;
  Status status = Status::approved;
  // The decision that asked for the removal: a clear, or a status change moving the item.
  DecisionId cause;
};

struct StoreDelta {
  // The company whose key the command writes, which for a wrong-company write differs from the
  // company of the decisions it carries.
  CompanyId key_company = 0;
  // True for a whole-blob SET: the company's stored state becomes exactly `puts`. Removals then
  // name the clears that the blob carries out, whose items it no longer holds.
  bool replaces_company = false;
  std::vector<EntryPut> puts;
  std::vector<EntryRemoval> removals;
};

}  // namespace reviewsim
