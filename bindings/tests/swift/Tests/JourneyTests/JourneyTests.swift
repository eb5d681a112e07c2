// The whole field journey through the Swift bindings against a real `doorstep serve`: a store
// opened with an in-memory key vault (the Keychain's stand-in: secrets never leave it), the
// roster synced down, a visit with fixes, checklist, photo and signature, finished, synced
// and receipted; and errors arriving as typed Swift errors. HTTP is URLSession, from
// FoundationNetworking, implementing the bindings' HttpTransport.

import DoorstepCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// Keeps each wrapped secret inside itself and hands out a random handle bound to the aad.
final class MemoryVault: KeyVault, @unchecked Sendable {
    private var kept: [Data: (Data, Data)] = [:]
    private let lock = NSLock()

    func wrap(aad: Data, secret: Data) throws -> Data {
        var handle = Data(count: 32)
        for i in 0..<32 { handle[i] = UInt8.random(in: 0...255) }
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

/// URLSession as the bindings' HTTP: every answer returned, whatever its status.
final class SessionTransport: HttpTransport, @unchecked Sendable {
    func send(request: HttpRequest) throws -> HttpResponse {
        var req = URLRequest(url: URL(string: request.url)!)
        req.httpMethod = request.method
        req.timeoutInterval = 30
        for h in request.headers { req.setValue(h.value, forHTTPHeaderField: h.name) }
        if request.method != "GET" { req.httpBody = request.body }
        let done = DispatchSemaphore(value: 0)
        var result: Result<(HTTPURLResponse, Data), Error> = .failure(PlatformError.Failed(reason: "no answer"))
        URLSession.shared.dataTask(with: req) { data, response, error in
            if let error = error {
                result = .failure(PlatformError.Failed(reason: "\(error)"))
            } else if let r = response as? HTTPURLResponse {
                result = .success((r, data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        let (r, body) = try result.get()
        let headers = r.allHeaderFields.map { HttpHeader(name: "\($0.key)", value: "\($0.value)") }
        return HttpResponse(status: UInt16(r.statusCode), headers: headers, body: body)
    }
}

func idNumber(_ region: String, _ birth: String, _ seq: Int) -> String {
    let body = region + birth + String(format: "%03d", seq)
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, w).map { Int(String($0.0))! * $0.1 }.reduce(0, +)
    return body + String(Array("10X98765432")[sum % 11])
}

func strokes() -> SignatureInput {
    let points = (0..<120).map { i -> StrokePoint in
        let s: Double = Double(i) / 119.0
        let x: Double = 40.0 + s * 500.0 + 25.0 * cos(s * 40.0)
        let wave: Double = 45.0 * sin(s * 20.0)
        let y: Double = 100.0 + wave * (1.0 - s / 2.0)
        return StrokePoint(x: Float(x), y: Float(y), t: UInt32(i * 8), p: 0.6)
    }
    return SignatureInput(width: 600, height: 200, strokes: [points])
}

func fix(_ lat: Double, _ lon: Double, accuracy: Double = 8) -> GpsFix {
    GpsFix(lat: lat, lon: lon, accuracyM: accuracy, atUnixMs: nil, provider: "gps", mock: false, datum: .wgs84)
}

let items = ["identity_checked", "card_in_hand", "social_security_activated", "bank_activated",
             "ss_password_changed", "bank_pin_set", "sms_enabled", "balance_shown", "subsidies_seen"]

/// `doorstep serve` on a free port with a one-person roster, for the whole test class.
final class Server {
    let root: URL
    let data: String
    let url: String
    let process: Process
    let doorstep = ProcessInfo.processInfo.environment["DOORSTEP_BIN"]!

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-swift-\(UUID())")
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
        while !line.contains(10) { line.append(out.fileHandleForReading.readData(ofLength: 1)) }
        let json = try JSONSerialization.jsonObject(with: line) as! [String: Any]
        url = json["listening"] as! String
        let roster = root.appendingPathComponent("roster.csv")
        let csv = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,"
            + "guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date\n"
            + "A1,王秀兰,\(idNumber("410225", "19400312", 11)),,,elderly,410225100201,兰考县某村,34.8,114.8,,,,,,"
            + "GL01:高龄津贴:100:0,issued_inactive,\n"
        try csv.write(to: roster, atomically: true, encoding: .utf8)
        _ = try admin(["import-roster", "--area", "410225", roster.path])
    }

    func admin(_ args: [String]) throws -> [String: Any] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: doorstep)
        p.arguments = ["admin", args[0], "--data", data] + Array(args.dropFirst()) + ["--json"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let bytes = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return try JSONSerialization.jsonObject(with: bytes) as! [String: Any]
    }

    func code() throws -> String {
        try admin(["enrolment-code", "--worker", "李四", "--area", "410225"])["code"] as! String
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }
}

final class JourneyTests: XCTestCase {
    static var server: Server!

    override class func setUp() {
        super.setUp()
        server = try! Server()
    }

    override class func tearDown() {
        server = nil
        super.tearDown()
    }

    func testAVisitGoesFromTheRosterToAReceipt() throws {
        let s = JourneyTests.server!
        let vault = MemoryVault()
        let dir = s.root.appendingPathComponent("phone").path
        let ds = try Doorstep.createWithVault(dir: dir, kind: "memory-keychain", vault: vault)
        let http = SessionTransport()
        XCTAssertEqual(try ds.enroll(transport: http, server: s.url, code: s.code()).area, "410225")
        XCTAssertEqual(try ds.sync(transport: http, observer: nil).rosterRows, 1)
        let due = try ds.dueList(limit: 10, near: LatLon(lat: 34.8, lon: 114.8))
        XCTAssertEqual(due.map { $0.id }, ["A1"])
        XCTAssertEqual(due[0].categories, [.elderly])

        let v = try ds.startVisit(recipientId: "A1")
        let knock = try v.view()
        XCTAssertEqual(knock.step, .knock)
        XCTAssertEqual(knock.missing[0].missing, .contact)
        // 1.5 km off: the flag carries its measurement, and says it in words.
        let far = try v.addFix(fix: fix(34.8135, 114.8))
        let distances = far.flags.compactMap { item -> UInt32? in
            if case let .tooFar(distanceM, _) = item.flag { return distanceM }
            return nil
        }
        XCTAssertEqual(distances.count, 1)
        XCTAssertTrue((1400...1600).contains(distances[0]), "\(distances)")
        XCTAssertTrue(far.flags.contains { $0.text.contains(String(distances[0])) })
        _ = try v.addFix(fix: fix(34.8, 114.8, accuracy: 4))
        let cared = try v.actAll(actions: [
            .contact(outcome: .metPerson, present: []),
            .subsidy(code: "GL01", arrived: .yes, amountSeenFen: 10000, smsReceived: true),
            .satisfaction(level: .satisfied, comment: ""),
        ])
        XCTAssertEqual(cared.step, .checklist)
        _ = try v.actAll(actions: items.map { .checklist(key: $0, status: .done, note: "") })
        let photo = try Data(contentsOf: URL(fileURLWithPath: ProcessInfo.processInfo.environment["DOORSTEP_PHOTO"]!))
        XCTAssertEqual(try v.addPhoto(bytes: photo).photos.count, 1)
        let signed = try v.act(action: .sign(signer: .recipient, proxyName: "", relation: "", strokes: strokes(),
                                             attested: "本人确认以上走访内容属实"))
        XCTAssertTrue(signed.canFinish, "\(signed.missing)")
        let sealed = try v.finish()
        XCTAssertEqual(sealed.sha256.count, 64)
        // The precise fix at the door is the visit's best: the record is not flagged too far.
        XCTAssertFalse(sealed.flags.contains { if case .tooFar = $0.flag { return true } else { return false } })
        XCTAssertEqual(try v.export().media.count, 2)
        XCTAssertEqual(try ds.visits()[0].progress, .waiting)

        let up = try ds.sync(transport: http, observer: nil)
        XCTAssertEqual([up.sent, up.receipted, up.mediaSent], [1, 1, 2])
        XCTAssertEqual(try ds.visits()[0].progress, .receipted)
        XCTAssertEqual(try ds.sync(transport: http, observer: nil).sent, 0)

        XCTAssertNoThrow(try Doorstep.openWithVault(dir: dir, kind: "memory-keychain", vault: vault))
        XCTAssertThrowsError(try Doorstep.openWithVault(dir: dir, kind: "memory-keychain", vault: MemoryVault())) { e in
            guard case let DoorstepError.Store(code, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(code, .wrongKey)
        }
    }

    func testErrorsArriveTypedWithCodes() throws {
        let s = JourneyTests.server!
        let dir = s.root.appendingPathComponent("passphrase-phone").path
        _ = try Doorstep.createWithPassphrase(dir: dir, passphrase: "a good long passphrase")
        XCTAssertThrowsError(try Doorstep.openWithPassphrase(dir: dir, passphrase: "not the passphrase")) { e in
            guard case let DoorstepError.Store(code, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(code, .wrongKey)
        }
        let ds = try Doorstep.openWithPassphrase(dir: dir, passphrase: "a good long passphrase")
        ds.setLanguage(language: .en)
        XCTAssertThrowsError(try ds.startVisit(recipientId: "NOBODY")) { e in
            guard case let DoorstepError.Visit(code, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(code, .notFound)
        }
        XCTAssertThrowsError(try ds.sync(transport: SessionTransport(), observer: nil)) { e in
            guard case let DoorstepError.Sync(code, _, _, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(code, .notEnrolled)
        }
        XCTAssertThrowsError(try ds.enroll(transport: SessionTransport(), server: s.url, code: "WRONGCODE123")) { e in
            guard case let DoorstepError.Sync(code, _, status, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(code, .refused)
            XCTAssertEqual(status, 401)
        }
        _ = try ds.enroll(transport: SessionTransport(), server: s.url, code: s.code())
        _ = try ds.sync(transport: SessionTransport(), observer: nil)
        let v = try ds.startVisit(recipientId: "A1")
        XCTAssertThrowsError(try v.act(action: .satisfaction(level: .satisfied, comment: ""))) { e in
            guard case let DoorstepError.Visit(code, detail) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(code, .invalid)
            XCTAssertEqual(detail, "record who was met at the door first")
        }
        XCTAssertEqual(try v.view().step, .knock, "refused actions left the draft alone")
        XCTAssertEqual(labelOutcome(value: .nobodyHome, language: .zh), "家中无人")
    }
}
