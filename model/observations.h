#pragma once

// What the checkers read of a run: the decisions, their acknowledgements, every write that
// became visible in the store (as a StoreDelta), and the state at quiescence. The engine
// records these beside the history; hand-built tests construct them directly.

#include <cstdint>
#include <string>
#include <vector>

#include "model/company_state.h"
#include "model/store_delta.h"

namespace reviewsim {

struct DecisionRecord {
  Decision decision;
  std::uint32_t step = 0;  // the step of the user action that made it
};

struct Acknowledgement {
  DecisionId decision;
  std::uint32_t step = 0;  // the step that delivered the save's reply to the user
};

// A write that became visible in the store at `step`.
struct Commit {
  std::uint32_t step = 0;
  UserId user = kImportUser;  // the user whose request ran the write
  std::string command;        // the KV command as text, for explanations
  StoreDelta delta;
  bool by_exec = false;       // queued inside MULTI and made visible by EXEC
};

struct Observations {
  std::vector<CompanyState> initial_store;  // by company, before the first step
  std::vector<DecisionRecord> decisions;    // in step order
  std::vector<Acknowledgement> acknowledgements;
  std::vector<Commit> commits;              // in step order
  std::vector<CompanyState> final_store;    // by company, decoded from the store at quiescence
  // final_views[user - 1][company]: every user's views after one final load of every company.
  std::vector<std::vector<CompanyState>> final_views;
};

}  // namespace reviewsim
