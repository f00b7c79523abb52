// Runs each benchmark configuration in its own forked child: SystemC elaborates once per
// process, so every configuration needs a fresh one.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace cimsim::bench {

// Calls run(config) in a child for each config, in order; returns 1 at the first that fails.
template <class Config, class Run>
int run_each_in_child(const std::vector<Config>& configs, Run run) {
  for (const Config& config : configs) {
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
      const int rc = run(config);
      std::fflush(stdout);
      std::_Exit(rc);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  return 0;
}

}  // namespace cimsim::bench
