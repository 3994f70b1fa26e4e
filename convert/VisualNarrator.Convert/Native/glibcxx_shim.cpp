// Defines std::ios_base_library_init(), the one symbol of GLIBCXX_3.4.32 (GCC 13) that TorchSharp 0.107.0's
// libLibTorchSharp.so asks for. GCC 13's <iostream> references it only so that the library's own iostream
// initialisation is linked in; older libstdc++ initialises the standard streams through ios_base::Init objects,
// so constructing one here gives the same guarantee. Built by convert/TorchSharpNative.targets; loaded with
// RTLD_GLOBAL by TorchRuntime before TorchSharp loads its native library.
#include <ios>

namespace std {
__attribute__((visibility("default"))) void ios_base_library_init() {
    static ios_base::Init init;
}
}
