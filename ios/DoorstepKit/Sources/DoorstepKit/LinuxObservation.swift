// Linux only: Swift 6.0.3's Observation library references swift::threading::fatal, which
// its Linux runtime does not export, so any @Observable type fails to link
// (swiftlang/swift#75670, fixed after 6.0.3). This gives the symbol: it is only called when
// the runtime's own locking fails, and then the process must stop anyway.
#if os(Linux)
import Glibc

@_cdecl("_ZN5swift9threading5fatalEPKcz")
func swiftThreadingFatal(_ message: UnsafePointer<CChar>) -> Never {
    _ = write(2, message, strlen(message))
    abort()
}
#endif
