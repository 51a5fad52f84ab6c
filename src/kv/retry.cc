#include "kv/retry.h"

#include <string>

namespace slicefs {

Status RetryTxn(std::string_view engine, const TxnRetryPolicy& policy,
                const std::function<Status()>& attempt) {
  int conflicts = 0;
  RetryBudget io(policy.io);
  while (true) {
    Status st = attempt();
    if (st.ok() || (!st.conflict() && !st.retryable())) return st;
    if (st.conflict()) {
      if (++conflicts >= policy.maxConflicts) {
        return Status::Conflict(std::string(engine) + ": transaction still conflicting after " +
                                std::to_string(conflicts) + " attempts: " + st.message());
      }
      BackoffSleep(policy.io, conflicts);
    } else if (!io.Again()) {
      return Status::Retryable(EIO, std::string(engine) + ": giving up after " +
                                        std::to_string(io.attempts() + conflicts) +
                                        " attempts: " + st.message());
    }
  }
}

}  // namespace slicefs
