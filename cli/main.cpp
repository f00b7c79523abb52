#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "models/core/error.hpp"

int main(int argc, char** argv) {
  try {
    return cimsim::run_cli(argc, argv);
  } catch (const cimsim::UserError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::ios_base::failure& e) {
    std::cerr << "error: cannot read an input file: " << e.what() << "\n";
    return 2;
  } catch (const cimsim::InternalError& e) {
    std::cerr << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "internal error (a bug in cimsim, please report it): " << e.what() << "\n";
    return 3;
  }
}
