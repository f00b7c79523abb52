// Runs a computation in a forked child process and brings its result back through a pipe.
//
// SystemC elaborates once per process, so every replay after the first needs a fresh process:
// the sweep's re-checks (cli/sweep.cpp) and the tests that compare two replays. The result must
// be trivially copyable and smaller than a pipe's buffer (PIPE_BUF), so the child writes it and
// exits without waiting for the parent to read. Fork only from a single-threaded process.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <thread>
#include <type_traits>

#include "models/core/error.hpp"

namespace cimsim {

struct ForkedChild {
  pid_t pid = -1;
  int fd = -1;  // the read end of the child's pipe
};

// Starts compute() in a child that sends its result T back and exits.
template <class T, class Compute>
ForkedChild fork_child(Compute compute) {
  static_assert(std::is_trivially_copyable_v<T>, "a child sends its result as bytes");
  static_assert(sizeof(T) <= PIPE_BUF, "a child's result must fit a pipe's atomic write");
  int fds[2];
  if (pipe(fds) != 0) throw UserError("error: cannot create a pipe for a child process");
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw UserError("error: cannot start a child process");
  }
  if (pid == 0) {
    close(fds[0]);
    const T result = compute();
    const bool sent = write(fds[1], &result, sizeof result) == static_cast<ssize_t>(sizeof result);
    std::_Exit(sent ? 0 : 1);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

// The result of a child that ended with `status` (from waitpid); nothing when it died or sent
// nothing. Closes the child's pipe.
template <class T>
std::optional<T> child_result(ForkedChild& child, int status) {
  T result{};
  const bool got = read(child.fd, &result, sizeof result) == static_cast<ssize_t>(sizeof result);
  close(child.fd);
  child.fd = -1;
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return result;
}

// Waits for one child and returns its result.
template <class T>
std::optional<T> wait_child(ForkedChild child) {
  int status = 0;
  waitpid(child.pid, &status, 0);
  return child_result<T>(child, status);
}

// Runs compute(i) for i in [0, count) in forked children, at most `parallel` at once, and calls
// done(i, result, status, stopped) as each ends (result empty when it died or sent nothing). A
// child still running `time_limit_s` of wall time after it started is killed (stopped true);
// the deadline is checked every 10 ms, so a child that ends within that look is not. Only its
// own children are waited for (a process that inherited others keeps them), and children still
// running when an exception leaves are killed, not orphaned.
template <class T, class Compute, class Done>
void run_children(std::size_t count, unsigned parallel, double time_limit_s, Compute compute,
                  Done done) {
  using Clock = std::chrono::steady_clock;
  struct Running {
    ForkedChild child;
    std::size_t index;
    Clock::time_point deadline;
    bool stopped = false;
  };
  const auto limit = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(std::clamp(time_limit_s, 0.0, 1e9)));
  std::map<pid_t, Running> running;
  struct KillLeftOnExit {
    std::map<pid_t, Running>& running;
    ~KillLeftOnExit() {
      for (auto& [pid, r] : running) {
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        close(r.child.fd);
      }
    }
  } kill_left{running};
  auto reap_one = [&] {
    for (;;) {
      for (auto it = running.begin(); it != running.end(); ++it) {
        int status = 0;
        if (waitpid(it->first, &status, WNOHANG) != it->first) continue;
        Running r = it->second;
        running.erase(it);
        const std::optional<T> result = child_result<T>(r.child, status);
        done(r.index, result, status, r.stopped);
        return;
      }
      const Clock::time_point now = Clock::now();
      for (auto& [pid, r] : running) {
        if (!r.stopped && now >= r.deadline) {
          kill(pid, SIGKILL);
          r.stopped = true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  };
  for (std::size_t i = 0; i < count; ++i) {
    while (running.size() >= std::max(1u, parallel)) reap_one();
    const ForkedChild child = fork_child<T>([&] { return compute(i); });
    running[child.pid] = Running{child, i, Clock::now() + limit};
  }
  while (!running.empty()) reap_one();
}

}  // namespace cimsim
