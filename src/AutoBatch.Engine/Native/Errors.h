// Error plumbing for the C ABI: exceptions are caught at the export and turned into a status plus a
// thread-local message, so nothing C++ ever unwinds into the .NET runtime.
#pragma once
#include <new>
#include <stdexcept>
#include <string>

#include <c10/util/Exception.h>

#include "AbApi.h"
#include "Require.h"

namespace ab {

void set_last_error(const std::string& message);
void clear_last_error();

template <typename F>
int32_t guarded(F&& body) noexcept {
  try {
    clear_last_error();
    body();
    return AB_OK;
  } catch (const ArgumentError& e) {
    set_last_error(e.what());
    return AB_INVALID_ARGUMENT;
  } catch (const std::bad_alloc&) {
    set_last_error("out of memory in the native core");
    return AB_OUT_OF_MEMORY;
  } catch (const c10::Error& e) {
    set_last_error(std::string("libtorch: ") + e.what_without_backtrace());
    return AB_RUNTIME_ERROR;
  } catch (const std::exception& e) {
    set_last_error(e.what());
    return AB_RUNTIME_ERROR;
  } catch (...) {
    set_last_error("unknown native error");
    return AB_RUNTIME_ERROR;
  }
}

}  // namespace ab
