// swift-tools-version:5.9
// The Swift bindings' test package: a system-library target over the generated C header
// (its module map links libdoorstep_ffi), the generated Swift as a library target, and the
// journey as XCTest. bindings/tests/run-swift copies the generated files in before building.
import PackageDescription

let package = Package(
    name: "DoorstepBindingsTests",
    targets: [
        .systemLibrary(name: "DoorstepCoreFFI", path: "Sources/DoorstepCoreFFI"),
        .target(name: "DoorstepCore", dependencies: ["DoorstepCoreFFI"], path: "Sources/DoorstepCore"),
        .testTarget(name: "JourneyTests", dependencies: ["DoorstepCore"], path: "Tests/JourneyTests"),
    ]
)
