// The parts with no server behind them: the stroke model, the fix window, the sync policy,
// amounts as typed, the choices offered, and the words the views need in both languages.

import Foundation
import XCTest
@testable import DoorstepKit

final class PartsTests: XCTestCase {
    func testAmountsAsTypedBecomeFen() async {
        XCTAssertEqual(VisitModel.fen("100"), 10000)
        XCTAssertEqual(VisitModel.fen("100.5"), 10050)
        XCTAssertEqual(VisitModel.fen("0.05"), 5)
        for bad in ["", "1.234", "-3", "abc", "1.2.3", "１００", "1e3", "99999999999999999999"] {
            XCTAssertNil(VisitModel.fen(bad), bad)
        }
        XCTAssertEqual(VisitModel.names(" 王秀兰，儿子王强、 孙女,  "), ["王秀兰", "儿子王强", "孙女"])
    }

    func testTheStrokeModelKeepsEveryPointInTimeOrder() async {
        var pad = drawnSignature()
        let input = try! XCTUnwrap(pad.input())
        XCTAssertEqual(input.strokes.count, 2)
        XCTAssertEqual(input.strokes.map(\.count), [22, 22], "down, 20 moves, up")
        XCTAssertEqual([input.width, input.height], [600, 240])
        for stroke in input.strokes {
            XCTAssertTrue(zip(stroke, stroke.dropFirst()).allSatisfy { $0.t <= $1.t })
        }
        // Times are from the first touch: the second stroke starts a second later.
        XCTAssertEqual(input.strokes[0][0].t, 0)
        XCTAssertEqual(input.strokes[1][0].t, 1000)
        // A touch clock that jitters back never makes time go back.
        pad.move(x: 1, y: 1, time: 0, pressure: 0.5)
        XCTAssertEqual(pad.strokes[1].last?.t, 1400)
        pad.clear()
        XCTAssertTrue(pad.isEmpty)
        XCTAssertNil(pad.input())
    }

    func testTheWindowKeepsTheBestFixAndPassesAMockOn() async {
        var w = FixWindow()
        XCTAssertFalse(w.add(fix(1, 1, accuracy: 60)))
        XCTAssertFalse(w.add(fix(2, 2, accuracy: 5, mock: true)), "a mock fix never ends the window")
        XCTAssertFalse(w.add(fix(3, 3, accuracy: 20)))
        // The mock is the most precise: it is the best, and nothing else is simulated.
        XCTAssertEqual(w.kept().map(\.lat), [2])
        XCTAssertTrue(w.add(fix(4, 4, accuracy: 4)))
        XCTAssertEqual(w.kept().map(\.lat), [4, 2])
        XCTAssertTrue(FixWindow().kept().isEmpty)
    }

    func testTheWindowedStreamEndsOnAGoodFixOrAtItsDeadline() async {
        func collect(_ p: LocationProvider) async -> [LocationEvent] {
            var got: [LocationEvent] = []
            for await e in p.events() { got.append(e) }
            return got
        }
        // A precise fix ends it early; fixes after it are not read.
        let early = WindowedLocation(seconds: 30) {
            AsyncStream { c in
                c.yield(.fix(fix(1, 1, accuracy: 50)))
                c.yield(.fix(fix(2, 2, accuracy: 6)))
                c.yield(.fix(fix(3, 3, accuracy: 3)))
            }
        }
        let started = Date()
        let got = await collect(early)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(got.last, .fix(fix(2, 2, accuracy: 6)).withSameTime(as: got.last))
        XCTAssertEqual(got.filter { if case .fix = $0 { return true } else { return false } }.count, 1)
        // A receiver that never gets precise: the deadline gives the best it had.
        let slow = WindowedLocation(seconds: 0.3) {
            AsyncStream { c in
                c.yield(.fix(fix(1, 1, accuracy: 80)))
                c.yield(.fix(fix(2, 2, accuracy: 30)))
            }
        }
        let best = await collect(slow).compactMap { e -> Double? in if case let .fix(f) = e { return f.lat } else { return nil } }
        XCTAssertEqual(best, [2])
        // Nothing at all: said as no fix.
        let none = WindowedLocation(seconds: 0.2) { AsyncStream { _ in } }
        let nothing = await collect(none)
        XCTAssertEqual(nothing, [.noFix])
        // Refused: said at once, and the window is over.
        let denied = WindowedLocation(seconds: 30) { AsyncStream { c in c.yield(.denied) } }
        let refused = await collect(denied)
        XCTAssertEqual(refused, [.denied])
    }

    func testSyncPolicyUploadsAtOnceHourlyOtherwiseAndBacksOff() async {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var h = SyncHistory()
        XCTAssertEqual(SyncPolicy.next(after: h, unsent: 0, now: now), now, "never synced: now")
        h.record(.done(at: now, sent: 0, receipted: 0, mediaSent: 0))
        XCTAssertEqual(SyncPolicy.next(after: h, unsent: 0, now: now), now.addingTimeInterval(3600))
        XCTAssertEqual(SyncPolicy.next(after: h, unsent: 1, now: now), now, "a sealed visit goes at once")
        var waits: [TimeInterval] = []
        for i in 1...6 {
            let at = now.addingTimeInterval(Double(i))
            h.record(.failed(at: at, reason: "x"))
            waits.append(SyncPolicy.next(after: h, unsent: 1, now: at).timeIntervalSince(at))
        }
        XCTAssertEqual(waits, [60, 300, 900, 3600, 3600, 3600])
        XCTAssertFalse(SyncPolicy.due(h, unsent: 1, now: now.addingTimeInterval(10)))
        XCTAssertTrue(SyncPolicy.due(h, unsent: 1, now: now.addingTimeInterval(6 + 3600)))
        h.record(.done(at: now, sent: 1, receipted: 1, mediaSent: 0))
        XCTAssertEqual(h.failuresInARow, 0)
    }

    func testTheCountyCertificateIsReadFromItsPem() async throws {
        let pem = try String(contentsOfFile: env("DOORSTEP_TEST_CA"), encoding: .utf8)
        let der = try XCTUnwrap(CountyCA.der(fromPem: "pasted with a line before\n" + pem))
        XCTAssertEqual(der.first, 0x30)
        XCTAssertEqual(der, try Data(contentsOf: URL(fileURLWithPath: env("DOORSTEP_TEST_CA") + ".der")))
        XCTAssertNil(CountyCA.der(fromPem: ""))
        XCTAssertNil(CountyCA.der(fromPem: pem.replacingOccurrences(of: "-----END CERTIFICATE-----", with: "")))
        XCTAssertNil(CountyCA.der(fromPem: "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----"))
    }

    func testEveryChoiceHasTheCoresWordsInBothLanguages() async {
        func check<T>(_ all: [T], _ label: (T, Language) -> String) {
            for lang in [Language.zh, .en] {
                let words = all.map { label($0, lang) }
                XCTAssertTrue(words.allSatisfy { !$0.isEmpty }, "\(words)")
                XCTAssertEqual(Set(words).count, words.count, "\(words)")
            }
        }
        check(Outcome.allCases) { labelOutcome(value: $0, language: $1) }
        check(Arrival.allCases) { labelArrival(value: $0, language: $1) }
        check(ItemStatus.allCases) { labelItemStatus(value: $0, language: $1) }
        check(SatisfactionLevel.allCases) { labelSatisfaction(value: $0, language: $1) }
        check(SignerRole.allCases) { labelSignerRole(value: $0, language: $1) }
        check(TicketKind.allCases) { labelTicketKind(value: $0, language: $1) }
        check(Urgency.allCases) { labelUrgency(value: $0, language: $1) }
    }

    /// The app's own words (ios/App/*.lproj): the same keys in Chinese and English, every
    /// notice and location state of the view models worded, the purpose strings present.
    func testTheAppsWordsExistInChineseAndEnglish() async throws {
        let app = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../App/Resources").standardized
        let zh = try strings(app.appendingPathComponent("zh-Hans.lproj/Localizable.strings"))
        let en = try strings(app.appendingPathComponent("en.lproj/Localizable.strings"))
        XCTAssertGreaterThan(zh.count, 40)
        XCTAssertEqual(Set(zh.keys), Set(en.keys), "keys differ: \(Set(zh.keys).symmetricDifference(en.keys).sorted())")
        var needed = VisitModel.Notice.allCases.map { "notice.\($0.rawValue)" }
        needed += VisitModel.Part.allCases.map { "part.\($0.rawValue)" }
        needed += ["location.idle", "location.locating", "location.fixed", "location.noFix", "location.denied", "location.servicesOff", "enrol.badCertificate"]
        for key in needed {
            XCTAssertNotNil(zh[key], key)
        }
        // Chinese first: the Chinese file is Chinese.
        XCTAssertTrue(zh["part.knock"]?.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } ?? false)
        for lang in ["zh-Hans", "en"] {
            let plist = try strings(app.appendingPathComponent("\(lang).lproj/InfoPlist.strings"))
            for key in ["NSLocationWhenInUseUsageDescription", "NSCameraUsageDescription", "CFBundleDisplayName"] {
                XCTAssertFalse(plist[key]?.isEmpty ?? true, "\(lang) \(key)")
            }
        }
    }

    /// A .strings file's "key" = "value"; pairs (the subset these files use).
    private func strings(_ url: URL) throws -> [String: String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var out: [String: String] = [:]
        let pair = try NSRegularExpression(pattern: #"^\s*"((?:[^"\\]|\\.)*)"\s*=\s*"((?:[^"\\]|\\.)*)"\s*;\s*$"#)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let s = String(line)
            if s.trimmingCharacters(in: .whitespaces).hasPrefix("/*") || s.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
            guard let m = pair.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)),
                  let k = Range(m.range(at: 1), in: s), let v = Range(m.range(at: 2), in: s)
            else {
                XCTAssertTrue(s.trimmingCharacters(in: .whitespaces).isEmpty, "not a strings line in \(url.lastPathComponent): \(s)")
                continue
            }
            XCTAssertNil(out[String(s[k])], "\(s[k]) twice in \(url.path)")
            out[String(s[k])] = String(s[v])
        }
        return out
    }
}

private extension LocationEvent {
    /// The same event with the fix's time taken from `other` (fix times are made at creation).
    func withSameTime(as other: LocationEvent?) -> LocationEvent {
        guard case var .fix(f) = self, case let .fix(o)? = other else { return self }
        f.atUnixMs = o.atUnixMs
        return .fix(f)
    }
}
