#pragma once

// Small scenarios built in code for the engine and checker tests.

#include "model/scenario.h"

namespace reviewsim::testing {

inline Action decide(ActionKind kind, ItemId item, CompanyId company, TimeMs after_ms) {
  Action action;
  action.kind = kind;
  action.item = item;
  action.company = company;
  action.after_ms = after_ms;
  if (kind == ActionKind::manual_match) action.node = "node-1";
  return action;
}

inline Action switch_to(CompanyId company, TimeMs after_ms) {
  Action action;
  action.kind = ActionKind::switch_company;
  action.company = company;
  action.after_ms = after_ms;
  return action;
}

// Two companies: astrazeneca (az-1..az-3, ids 0..2) and abbvie (ab-1, ab-2, ids 3..4).
inline Scenario two_company_scenario() {
  Scenario scenario;
  scenario.name = "test";
  const CompanyId astrazeneca = scenario.catalog.add_company("astrazeneca");
  const CompanyId abbvie = scenario.catalog.add_company("abbvie");
  for (const char* name : {"az-1", "az-2", "az-3"}) scenario.catalog.add_item(astrazeneca, name);
  for (const char* name : {"ab-1", "ab-2"}) scenario.catalog.add_item(abbvie, name);
  scenario.users_min = 1;
  scenario.users_max = 5;
  return scenario;
}

// The incident: u1 approves az-1..az-3, then switches to abbvie before the debounced save runs.
inline Scenario incident_scenario() {
  Scenario scenario = two_company_scenario();
  scenario.save_delay_ms = {1000, 1000};
  UserScript script;
  script.start_company = 0;
  script.actions = {decide(ActionKind::approve, 0, 0, 100), decide(ActionKind::approve, 1, 0, 100),
                    decide(ActionKind::approve, 2, 0, 100), switch_to(1, 200)};
  scenario.scripts[1] = script;
  return scenario;
}

}  // namespace reviewsim::testing
