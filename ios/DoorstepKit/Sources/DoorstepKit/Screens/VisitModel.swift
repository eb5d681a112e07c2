// The visit: one screen for the whole household call. The core's state leads — which step is
// next, what is missing, every flag in its words — and every tap is an action the core keeps
// in the encrypted draft at once, so a killed app loses nothing: the model comes back from
// the visit id alone. Location runs for the whole visit; flags never block saving. What the
// worker types is handed to the core as typed; the core says what is wrong with it.

import Foundation
import Observation

@MainActor
@Observable
public final class VisitModel {
    /// The parts of the screen, in the order of the three doors.
    public enum Part: String, CaseIterable, Sendable {
        case knock, care, open, checklist, satisfaction, photos, sign, finish
    }

    /// The screen's own short messages (the views word them; the core words refusals).
    public enum Notice: String, CaseIterable, Sendable {
        case saved, pickOutcomeFirst, pickArrival, badAmount, pickTicketKind, pickSatisfaction
        case drawFirst, thumbprintPhotoNext, photoWorking, noCamera, cameraDenied
    }

    /// Where location stands, for the line at the top of the visit.
    public enum LocationStatus: Equatable, Sendable {
        case idle
        case locating(accuracyM: Double?)
        case fixed(accuracyM: Double)
        case noFix
        /// Refused for this app: the view offers the way to Settings; saving goes on.
        case denied
        case servicesOff
    }

    public let session: VisitSession
    public let visitId: String
    public private(set) var state: VisitState
    public private(set) var record: VisitRecord
    public var part: Part
    /// The core's words for the last refusal; nil after an accepted action.
    public private(set) var refusal: String?
    public private(set) var notice: Notice?
    public private(set) var location: LocationStatus = .idle
    public private(set) var sealed: SealedVisit?
    public private(set) var photoBusy = false
    public let recipient: RecipientDetail?
    @ObservationIgnored private let app: FieldApp

    init(app: FieldApp, session: VisitSession) throws {
        self.app = app
        self.session = session
        visitId = session.visitId()
        let state = try session.view()
        let record = try session.record()
        self.state = state
        self.record = record
        part = Self.part(for: state.step)
        recipient = try? app.core.recipient(id: record.recipientId)
    }

    /// The core's next step, as the part of the screen that records it.
    public static func part(for step: Step) -> Part {
        switch step {
        case .knock: return .knock
        case .care: return .care
        case .open: return .open
        case .checklist: return .checklist
        case .sign: return .sign
        case .evidence: return .photos
        case .ready: return .finish
        }
    }

    public var language: Language { app.language }

    // What the parts offer, all from the core -----------------------------------------------

    /// The recipient's subsidies a worker checks (protected ones stay unnamed and unlisted).
    public var subsidies: [Subsidy] { recipient?.subsidies.filter { !$0.hidden && $0.code != nil } ?? [] }
    public var policyTopics: [PolicyTopic] { (try? app.core.policyTopics()) ?? [] }
    public var checklist: Checklist? { try? app.core.checklist() }
    /// The card checklist's items for this visit: the guardian's only when the core says the
    /// visit goes through a proxy.
    public var checklistItems: [ChecklistItem] {
        checklist?.items.filter { !$0.proxyOnly || record.actsThroughProxy } ?? []
    }

    // Actions -------------------------------------------------------------------------------

    /// Hands one action to the core; a refusal keeps the draft as it was and says why.
    @discardableResult
    public func act(_ action: VisitAction) -> Bool {
        do {
            changed(try session.act(action: action))
            return true
        } catch {
            refusal = words(error)
            notice = nil
            return false
        }
    }

    /// Who opened the door and who else was there (names as typed, split on commas).
    @discardableResult
    public func knock(_ outcome: Outcome, present: String? = nil) -> Bool {
        let names = present.map { Self.names($0) } ?? record.present
        return act(.contact(outcome: outcome, present: names))
    }

    /// The people present again, for the outcome already chosen.
    @discardableResult
    public func savePresent(_ present: String) -> Bool {
        guard let o = record.outcome else { return say(.pickOutcomeFirst) }
        return knock(o, present: present)
    }

    /// One subsidy checked: arrived or not, the amount the worker saw (yuan as typed, e.g.
    /// "100" or "100.50"), whether the SMS came.
    @discardableResult
    public func recordSubsidy(code: String, arrived: Arrival?, amountSeen: String, sms: Bool?) -> Bool {
        guard let arrived else { return say(.pickArrival) }
        let typed = amountSeen.trimmingCharacters(in: .whitespaces)
        var fen: Int64?
        if !typed.isEmpty {
            guard let f = Self.fen(typed) else { return say(.badAmount) }
            fen = f
        }
        return act(.subsidy(code: code, arrived: arrived, amountSeenFen: fen, smsReceived: sms)) && say(.saved)
    }

    @discardableResult
    public func explained(_ topic: String) -> Bool {
        record.policiesExplained.contains(topic) || act(.policyExplained(code: topic))
    }

    @discardableResult public func living(_ text: String) -> Bool { act(.living(text: text)) && say(.saved) }
    @discardableResult public func needs(_ text: String) -> Bool { act(.needs(text: text)) && say(.saved) }
    @discardableResult public func answered(_ question: String) -> Bool { act(.questionAnswered(text: question)) }

    @discardableResult
    public func ticket(kind: TicketKind?, description: String, urgency: Urgency, item: String? = nil) -> Bool {
        guard let kind else { return say(.pickTicketKind) }
        return act(.ticket(kind: kind, description: description, urgency: urgency, checklistItem: item))
    }

    @discardableResult
    public func checklist(_ key: String, _ status: ItemStatus, note: String = "") -> Bool {
        act(.checklist(key: key, status: status, note: note))
    }

    @discardableResult
    public func satisfaction(_ level: SatisfactionLevel?, comment: String) -> Bool {
        guard let level else { return say(.pickSatisfaction) }
        return act(.satisfaction(level: level, comment: comment)) && say(.saved)
    }

    /// The signature: drawn by the recipient or a proxy (name, relation), or a thumbprint,
    /// whose photo is taken next.
    @discardableResult
    public func sign(_ signer: SignerRole, proxyName: String = "", relation: String = "",
                     pad: SignatureModel?, attested: String) -> Bool {
        var strokes: SignatureInput?
        if signer != .thumbprint {
            guard let drawn = pad?.input() else { return say(.drawFirst) }
            strokes = drawn
        }
        guard act(.sign(signer: signer, proxyName: proxyName, relation: relation, strokes: strokes, attested: attested))
        else { return false }
        return say(signer == .thumbprint ? .thumbprintPhotoNext : .saved)
    }

    /// The kept signature as PNG, drawn by the core.
    public var signaturePreview: Data? { (try? session.signaturePreview()) ?? nil }

    // Location ------------------------------------------------------------------------------

    /// Listens to `provider` until its window ends (or the calling task is cancelled, as when
    /// the screen goes). Every fix goes to the core, which flags what it must.
    public func locate(with provider: LocationProvider) async {
        location = .locating(accuracyM: nil)
        for await event in provider.events() {
            switch event {
            case let .fix(f):
                do {
                    changed(try session.addFix(fix: f))
                    location = .fixed(accuracyM: f.accuracyM)
                } catch {
                    refusal = words(error)
                }
            case let .searching(accuracy): location = .locating(accuracyM: accuracy)
            case .denied: location = .denied
            case .servicesOff: location = .servicesOff
            case .noFix: location = .noFix
            }
        }
    }

    // Photos --------------------------------------------------------------------------------

    /// One photo from the camera, kept by the core (re-encoded and sealed off the main actor).
    public func takePhoto(from source: PhotoSource) async {
        do {
            guard let jpeg = try await source.takePhoto() else { return }
            photoBusy = true
            defer { photoBusy = false }
            notice = .photoWorking
            let s = session
            changed(try await app.queues.inBackground { try s.addPhoto(bytes: jpeg) })
        } catch PhotoSourceError.noCamera {
            say(.noCamera)
        } catch PhotoSourceError.denied {
            say(.cameraDenied)
        } catch {
            refusal = words(error)
            notice = nil
        }
    }

    public func removePhoto(_ sha256: String) {
        do { changed(try session.removePhoto(sha256: sha256)) } catch { refusal = words(error) }
    }

    /// A photo's thumbnail (JPEG) made by the core from the sealed copy.
    public func thumbnail(_ sha256: String, maxEdge: UInt32 = 480) -> Data? {
        try? session.photoThumbnail(sha256: sha256, longEdge: maxEdge)
    }

    // Finish --------------------------------------------------------------------------------

    /// Seals the visit when the core allows it; then it goes up at the next chance.
    @discardableResult
    public func finish() -> Bool {
        do {
            sealed = try session.finish()
            refusal = nil
            app.sealed()
            return true
        } catch {
            refusal = words(error)
            return false
        }
    }

    // ---------------------------------------------------------------------------------------

    private func changed(_ s: VisitState) {
        state = s
        if let r = try? session.record() { record = r }
        refusal = nil
        notice = nil
    }

    @discardableResult
    private func say(_ n: Notice) -> Bool {
        notice = n
        return n == .saved || n == .thumbprintPhotoNext
    }

    /// Names as typed: split on ASCII or Chinese commas and the enumeration comma.
    nonisolated static func names(_ typed: String) -> [String] {
        typed.split(whereSeparator: { ",，、".contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Yuan as typed ("100", "100.5", "100.50") in fen; nil when it is not an amount.
    nonisolated static func fen(_ typed: String) -> Int64? {
        let parts = typed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]), whole >= 0, whole < 100_000_000 else { return nil }
        var cents: Int64 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard (1...2).contains(frac.count), frac.allSatisfy(\.isASCII), let c = Int64(frac) else { return nil }
            cents = frac.count == 1 ? c * 10 : c
        }
        return whole * 100 + cents
    }
}
