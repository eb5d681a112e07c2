// swift-tools-version:6.0
// DoorstepKit: everything of the iOS field app but its pixels and Apple's frameworks — the
// view models of every screen, the ports the Apple adapters fill (location, key vault,
// photos, clock), HTTP over URLSession, the signature's stroke model and when to sync — over
// the core's generated Swift bindings. It builds and tests on Linux (Swift 6.0.3), linking the
// host-built core library; on Apple platforms the core comes as an XCFramework made by
// ios/scripts/xcframework. The generated files (DoorstepCore.swift, DoorstepCoreFFI.h) are not
// committed: ios/scripts/test (Linux) and ios/scripts/xcframework (Mac) put them in place.
import PackageDescription

#if os(Linux)
// The core as a system library: the generated header and a module map linking
// libdoorstep_ffi from the library path the build is given.
let core: Target = .systemLibrary(name: "DoorstepCoreFFI", path: "Sources/DoorstepCoreFFI")
#else
// Static libraries for device and simulator, with the header and its module map.
let core: Target = .binaryTarget(name: "DoorstepCoreFFI", path: "DoorstepCoreFFI.xcframework")
#endif

let package = Package(
    name: "DoorstepKit",
    defaultLocalization: "zh-Hans",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [.library(name: "DoorstepKit", targets: ["DoorstepKit"])],
    targets: [
        core,
        // UniFFI's generated Swift, compiled in the Swift 5 language mode it is written for.
        .target(
            name: "DoorstepCore", dependencies: ["DoorstepCoreFFI"], path: "Sources/DoorstepCore",
            swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(name: "DoorstepKit", dependencies: ["DoorstepCore"], path: "Sources/DoorstepKit"),
        .testTarget(name: "DoorstepKitTests", dependencies: ["DoorstepKit"], path: "Tests/DoorstepKitTests"),
    ]
)
