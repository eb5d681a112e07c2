// What the tests put where the phone's parts would be: an in-memory key vault (the Keychain's
// stand-in: secrets never leave it), scripted location, a camera that returns a real photo,
// a recording background scheduler, a settable clock; and a real `doorstep serve` on
// loopback with a small roster of the county, driven through the real operator commands.

import Foundation
import XCTest
@testable import DoorstepKit

/// Keeps each wrapped secret inside itself and hands out a random handle bound to the aad.
final class MemoryVault: KeyVault, @unchecked Sendable {
    private var kept: [Data: (Data, Data)] = [:]
    private let lock = NSLock()

    func wrap(aad: Data, secret: Data) throws -> Data {
        let handle = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        lock.lock(); defer { lock.unlock() }
        kept[handle] = (aad, secret)
        return handle
    }

    func unwrap(aad: Data, wrapped: Data) throws -> Data {
        lock.lock(); defer { lock.unlock() }
        guard let (boundAad, secret) = kept[wrapped], boundAad == aad else {
            throw PlatformError.Failed(reason: "not wrapped by this key store")
        }
        return secret
    }
}

/// Location that says what the script says, then ends (as a window would).
struct ScriptedLocation: LocationProvider {
    let script: [LocationEvent]
    func events() -> AsyncStream<LocationEvent> {
        AsyncStream { c in
            for e in script { c.yield(e) }
            c.finish()
        }
    }
}

/// The camera: a real phone-sized JPEG, or a cancel, or no camera at all.
struct FakeCamera: PhotoSource {
    enum Mode: Sendable { case photo, cancel, noCamera }
    let mode: Mode
    func takePhoto() async throws -> Data? {
        switch mode {
        case .photo: return try Data(contentsOf: URL(fileURLWithPath: env("DOORSTEP_PHOTO")))
        case .cancel: return nil
        case .noCamera: throw PhotoSourceError.noCamera
        }
    }
}

final class RecordingScheduler: SyncScheduling, @unchecked Sendable {
    private let lock = NSLock()
    private var dates: [Date] = []
    func schedule(earliest: Date) { lock.lock(); dates.append(earliest); lock.unlock() }
    var asked: [Date] { lock.lock(); defer { lock.unlock() }; return dates }
}

final class SetClock: WallClock, @unchecked Sendable {
    var at: Date
    init(_ at: Date) { self.at = at }
    func now() -> Date { at }
}

func env(_ name: String) -> String {
    guard let v = ProcessInfo.processInfo.environment[name] else { fatalError("\(name) is not set") }
    return v
}

/// The household's position: a fix here is at the door.
let home = (lat: 34.8, lon: 114.8)

func fix(_ lat: Double, _ lon: Double, accuracy: Double = 8, mock: Bool = false) -> GpsFix {
    GpsFix(lat: lat, lon: lon, accuracyM: accuracy, atUnixMs: Int64(Date().timeIntervalSince1970 * 1000),
           provider: "gps", mock: mock, datum: .wgs84)
}

/// A valid GB 11643 number (check digit computed).
func idNumber(_ region: String, _ birth: String, _ seq: Int) -> String {
    let body = region + birth + String(format: "%03d", seq)
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, w).map { Int(String($0.0))! * $0.1 }.reduce(0, +)
    return body + String(Array("10X98765432")[sum % 11])
}

/// `doorstep serve` on a free port for the whole test process, with three households.
final class TestServer: @unchecked Sendable {
    /// The suite's server; it goes with the test process (see `stop` at exit below).
    static let shared: TestServer = {
        let s = try! TestServer()
        atexit { TestServer.shared.stop() }
        return s
    }()

    let root: URL
    let data: String
    let url: String
    private let process: Process
    private let doorstep = env("DOORSTEP_BIN")

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-ios-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        data = root.appendingPathComponent("server").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: doorstep)
        process.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0", "--json"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(10) {
            let b = out.fileHandleForReading.readData(ofLength: 1)
            if b.isEmpty { throw PlatformError.Failed(reason: "the server did not start") }
            line.append(b)
        }
        let json = try JSONSerialization.jsonObject(with: line) as! [String: Any]
        url = json["listening"] as! String
        let divisions = root.appendingPathComponent("divisions.csv")
        try "code,name\n410225000000,兰考县\n410225100000,城关镇\n410225100201,北街村\n410225100202,南街村\n"
            .write(to: divisions, atomically: true, encoding: .utf8)
        _ = try admin(["import-divisions", divisions.path])
        let roster = root.appendingPathComponent("roster.csv")
        let csv = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,"
            + "guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date\n"
            + "A1,王秀兰,\(idNumber("410225", "19400312", 12)),,,elderly,410225100201,北街村 12 号,\(home.lat),\(home.lon),,,,,,"
            + "GL01:高龄津贴:100:0,issued_inactive,\n"
            + "B2,李建国,\(idNumber("410225", "19560704", 31)),,,disabled,410225100202,南街村 3 号,34.83,114.83,,,,,,"
            + "CJ01:残疾人生活补贴:80:0,active,2025-06-01\n"
            + "C3,张小明,\(idNumber("410225", "20150210", 51)),,,minor,410225100201,北街村 30 号,34.801,114.801,,,张大山,父亲,13800138000,"
            + "KE01:困境儿童生活费:500:0,issued_inactive,\n"
        try csv.write(to: roster, atomically: true, encoding: .utf8)
        _ = try admin(["import-roster", "--area", "410225", roster.path])
    }

    @discardableResult
    func admin(_ args: [String]) throws -> [String: Any] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: doorstep)
        p.arguments = ["admin", args[0], "--data", data] + Array(args.dropFirst()) + ["--json"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let bytes = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw PlatformError.Failed(reason: "admin \(args[0]) failed") }
        return (try? JSONSerialization.jsonObject(with: bytes) as? [String: Any]) ?? [:]
    }

    /// A fresh one-time code for a worker of the county.
    func code() throws -> String {
        try admin(["enrolment-code", "--worker", "李四", "--area", "410225"])["code"] as! String
    }

    func review(_ visitId: String, _ decision: String, comment: String) throws {
        try admin(["review", visitId, decision, "--comment", comment])
    }

    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: root)
    }
}

/// A phone: its own folder, vault and app, not enrolled yet.
@MainActor
func newPhone(vault: KeyVault = MemoryVault(), folder: URL? = nil,
              transport: @escaping @Sendable (String) -> HttpTransport = { _ in URLSessionTransport() }) -> FieldApp {
    let dir = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-phone-\(UUID())")
    let app = FieldApp(folder: dir, vault: vault, language: .zh, transport: transport)
    XCTAssertEqual(app.open(), .ready)
    return app
}

/// A phone enrolled through the enrolment screen's model, its roster down.
@MainActor
func enrolledPhone(vault: KeyVault = MemoryVault()) async throws -> FieldApp {
    let app = newPhone(vault: vault)
    let enrol = EnrolModel(app: app)
    enrol.server = TestServer.shared.url
    enrol.code = try TestServer.shared.code().lowercased()
    await enrol.enrol()
    guard case .enrolled = enrol.phase else {
        XCTFail("not enrolled: \(enrol.phase)")
        throw PlatformError.Failed(reason: "not enrolled")
    }
    return app
}

/// Two strokes of a finger, 60 Hz samples, as a pad would collect them.
func drawnSignature() -> SignatureModel {
    var pad = SignatureModel(width: 600, height: 240)
    for s in 0..<2 {
        let t0 = 10.0 + Double(s)
        let y0 = 60.0 + Double(s) * 80
        pad.begin(x: 20, y: y0, time: t0, pressure: 0.5)
        for frame in 1...20 {
            let x = 20.0 + Double(frame) * 25
            pad.move(x: x, y: y0 + 30 * sin(Double(frame) / 2), time: t0 + Double(frame) / 60, pressure: 0.6)
        }
        pad.end(x: 540, y: y0, time: t0 + 0.4, pressure: 0.4)
    }
    return pad
}
