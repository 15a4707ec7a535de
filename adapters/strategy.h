#pragma once

// Storage strategies: how a save and a load map to KV commands. Each strategy writes its save
// and its load once, as programs (adapters/program.h); the simulator steps through them and
// production runs them on Redis.
//
//   full-overwrite    save: SET match-review:<company> <the whole view as JSON>; load: GET
//   read-merge-write  save: GET, merge the payload into the blob, SET; load: GET
//   hset              hashes match-review:<company>:approved|rejected|manual, field = item,
//                     value = entry JSON; a decision is one HSET into its status hash and one
//                     HDEL from each other status hash, as separate commands; load: 3 HGETALL
//   hset-multi        the hset layout with each decision inside one MULTI/EXEC; load: the three
//                     HGETALL inside one MULTI/EXEC

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/kv.h"
#include "adapters/program.h"
#include "model/catalog.h"
#include "model/company_state.h"
#include "model/request.h"

namespace reviewsim {

struct SaveOutcome {
  bool ok = true;
  std::string error;  // why the save failed, when !ok
};

struct LoadOutcome {
  bool ok = true;
  std::string error;
  CompanyState state;
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  virtual std::string_view name() const = 0;
  // The program that runs one save. `request.company` names the key it writes.
  virtual Program<SaveOutcome> save(SaveRequest request) const = 0;
  // The program that reads one company's state.
  virtual Program<LoadOutcome> load(CompanyId company) const = 0;
  // The program that stores `state` as the company's whole state, for the entries a scenario
  // holds before its run starts.
  virtual Program<SaveOutcome> seed(CompanyId company, CompanyState state) const = 0;
};

// The names accepted by make_strategy, in the order reports list them.
std::span<const std::string_view> strategy_names();
// Returns nullptr when `name` is not one of strategy_names(). The strategy keeps a reference
// to the catalog, which must outlive it.
std::unique_ptr<Strategy> make_strategy(std::string_view name, const Catalog& catalog);

// Key names of the two layouts.
std::string blob_key(const Catalog& catalog, CompanyId company);
std::string hash_key(const Catalog& catalog, CompanyId company, Status status);

}  // namespace reviewsim
