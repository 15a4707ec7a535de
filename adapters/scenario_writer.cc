#include <nlohmann/json.hpp>

#include "adapters/scenario_file.h"

namespace reviewsim {

namespace {

using nlohmann::ordered_json;

ordered_json range_json(const RangeMs& range) { return ordered_json::array({range.min_ms, range.max_ms}); }

ordered_json action_json(const Action& action, const Catalog& catalog) {
  ordered_json object;
  object["do"] = std::string(action_kind_name(action.kind));
  if (is_decision(action.kind)) object["item"] = catalog.item_name(action.item);
  if (action.kind == ActionKind::switch_company) object["company"] = catalog.company_name(action.company);
  if (action.kind == ActionKind::manual_match) object["node"] = action.node;
  if (action.after_ms) object["after_ms"] = *action.after_ms;
  return object;
}

ordered_json workload_json(const Scenario& scenario) {
  const Catalog& catalog = scenario.catalog;
  ordered_json workload = ordered_json::object();
  if (!scenario.scripts.empty()) {
    ordered_json scripts = ordered_json::object();
    for (const auto& [user, script] : scenario.scripts) {
      ordered_json actions = ordered_json::array();
      for (const Action& action : script.actions) actions.push_back(action_json(action, catalog));
      scripts[user_name(user)] = {{"start", catalog.company_name(script.start_company)},
                                  {"actions", std::move(actions)}};
    }
    workload["scripts"] = std::move(scripts);
  }
  if (scenario.generated) {
    ordered_json weights = ordered_json::object();
    for (int kind = 0; kind < kActionKindCount; ++kind) {
      const auto action = static_cast<ActionKind>(kind);
      if (action == ActionKind::show_tab) continue;
      weights[std::string(action_kind_name(action))] = scenario.generated->weights[kind];
    }
    workload["generated"] = {{"actions", scenario.generated->actions_count},
                             {"weights", std::move(weights)}};
  }
  return workload;
}

}  // namespace

std::string format_scenario(const Scenario& scenario) {
  const Catalog& catalog = scenario.catalog;
  ordered_json document;
  document["format"] = std::string(kScenarioFormat);
  document["name"] = scenario.name;
  if (!scenario.description.empty()) document["description"] = scenario.description;

  ordered_json companies = ordered_json::array();
  for (std::size_t index = 0; index < catalog.companies_count(); ++index) {
    const auto company = static_cast<CompanyId>(index);
    ordered_json items = ordered_json::array();
    for (const ItemId item : catalog.items_of(company)) items.push_back(catalog.item_name(item));
    companies.push_back({{"name", catalog.company_name(company)}, {"items", std::move(items)}});
  }
  document["companies"] = std::move(companies);
  document["users"] = {{"min", scenario.users_min}, {"max", scenario.users_max}};
  document["client"] = scenario.client;
  document["timing"] = {{"network_ms", range_json(scenario.network_ms)},
                        {"kv_ms", range_json(scenario.kv_ms)},
                        {"save_delay_ms", range_json(scenario.save_delay_ms)},
                        {"think_ms", range_json(scenario.think_ms)},
                        {"poll_interval_ms", scenario.poll_interval_ms}};

  if (!scenario.initial.empty()) {
    ordered_json initial = ordered_json::array();
    for (const InitialEntry& entry : scenario.initial) {
      ordered_json object = {{"company", catalog.company_name(entry.company)},
                             {"item", catalog.item_name(entry.item)},
                             {"status", std::string(status_name(entry.status))}};
      if (entry.status == Status::manual) object["node"] = entry.node;
      initial.push_back(std::move(object));
    }
    document["initial"] = std::move(initial);
  }
  document["workload"] = workload_json(scenario);

  if (!scenario.expectations.empty()) {
    ordered_json expect = ordered_json::array();
    for (const Expectation& expectation : scenario.expectations) {
      ordered_json object = {{"strategy", expectation.strategy}, {"client", expectation.client}};
      if (!expectation.explorer.empty()) object["explorer"] = expectation.explorer;
      if (expectation.clean) {
        object["anomalies"] = "none";
      } else {
        ordered_json kinds = ordered_json::array();
        for (const AnomalyKind kind : expectation.kinds) kinds.push_back(std::string(anomaly_kind_name(kind)));
        object["anomalies"] = std::move(kinds);
      }
      expect.push_back(std::move(object));
    }
    document["expect"] = std::move(expect);
  }
  return document.dump(2) + "\n";
}

}  // namespace reviewsim
