// The app process: the one core store this phone holds, opened with the key vault, the
// settings beside it, the queues the slow calls run on, and the sync runs themselves (so the
// sync screen, the background task and "sync after sealing" share one path). Screens' view
// models reach the core through this object only.

import Foundation
import Observation

@MainActor
@Observable
public final class FieldApp {
    /// What opening the store came to: the app routes on it.
    public enum Opened: Equatable, Sendable {
        case ready
        /// The vault no longer holds the key that wraps this store's data key (a phone
        /// restored from another's backup, a wiped keychain): nothing on it can be read.
        case keyLost
        case failed(String)
    }

    public static let vaultKind = "ios-keychain"

    /// The app's own folder (Application Support, excluded from backups on a phone).
    public let folder: URL
    public let queues = CoreQueues()
    public let clock: WallClock
    public private(set) var language: Language
    public private(set) var settings: Settings
    /// The result of the last `open()`; nil before it.
    public private(set) var opened: Opened?
    /// Whether this phone is enrolled (the app shows enrolment until it is).
    public private(set) var enrolled = false
    /// Bumped after each sync, so screens showing counts refresh.
    public private(set) var syncGeneration = 0
    @ObservationIgnored private var store: Doorstep?
    @ObservationIgnored private let vault: KeyVault
    @ObservationIgnored private let transportFor: @Sendable (_ countyCaPem: String) -> HttpTransport
    @ObservationIgnored public var scheduler: SyncScheduling?

    public init(
        folder: URL, vault: KeyVault, language: Language, clock: WallClock = SystemClock(),
        transport: @escaping @Sendable (_ countyCaPem: String) -> HttpTransport = { _ in URLSessionTransport() }
    ) {
        self.folder = folder
        self.vault = vault
        self.language = language
        self.clock = clock
        self.transportFor = transport
        self.settings = Settings.load(from: folder.appendingPathComponent("settings.json"))
    }

    public var storeDir: URL { folder.appendingPathComponent("store") }

    /// Opens (or on first start creates) the store; the same store until `close()`.
    @discardableResult
    public func open() -> Opened {
        if store != nil, let opened { return opened }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let ds: Doorstep
            do {
                ds = try Doorstep.openWithVault(dir: storeDir.path, kind: Self.vaultKind, vault: vault)
            } catch let e as DoorstepError where e.code == .noStore {
                ds = try Doorstep.createWithVault(dir: storeDir.path, kind: Self.vaultKind, vault: vault)
            }
            ds.setLanguage(language: language)
            store = ds
            enrolled = try ds.status().enrolled
            opened = .ready
        } catch let e as DoorstepError where e.code == .wrongKey || e.code == .crypto {
            opened = .keyLost
        } catch {
            opened = .failed(words(error))
        }
        return opened!
    }

    /// The open store. Screens exist only after `open()` said `.ready`.
    public var core: Doorstep {
        guard let store else { preconditionFailure("the store is not open") }
        return store
    }

    /// Closes the store (the process going away does the same).
    public func close() {
        store = nil
        opened = nil
        enrolled = false
    }

    public func setLanguage(_ l: Language) {
        language = l
        store?.setLanguage(language: l)
    }

    /// After the key was lost: the unreadable store is moved aside, never deleted (a county
    /// technician may still recover it), and a new one is made at the next `open()`.
    @discardableResult
    public func setAsideLostStore() throws -> URL {
        close()
        let stamp = Int(clock.now().timeIntervalSince1970)
        let aside = folder.appendingPathComponent("store-set-aside-\(stamp)")
        try FileManager.default.moveItem(at: storeDir, to: aside)
        return aside
    }

    public func updateSettings(_ change: (inout Settings) -> Void) {
        change(&settings)
        // Losing a settings write loses no record: the store holds every record itself.
        try? settings.save(to: folder.appendingPathComponent("settings.json"))
    }

    public func transport() -> HttpTransport { transportFor(settings.countyCaPem) }

    /// Enrols with a one-time code and brings the roster down at once, so the due list is
    /// there before the first household. Throws the core's refusal.
    public func enrol(server: String, code: String) async throws -> Enrolled {
        let ds = core
        let http = transport()
        let (done, first) = try await queues.onNetwork {
            let e = try ds.enroll(transport: http, server: server, code: code)
            return (e, try ds.sync(transport: http, observer: nil))
        }
        enrolled = true
        finishedSync(.done(at: clock.now(), sent: first.sent, receipted: first.receipted, mediaSent: first.mediaSent))
        return done
    }

    /// One sync on the network queue: sealed visits and photos up; roster, decisions and
    /// ticket news down. The outcome is kept for the sync screen and the back-off.
    @discardableResult
    public func sync(observer: SyncObserver? = nil) async -> SyncOutcome {
        guard opened == .ready, let ds = store, (try? ds.status().enrolled) == true else {
            return .failed(at: clock.now(), reason: "")
        }
        let http = transport()
        let outcome: SyncOutcome
        do {
            let r = try await queues.onNetwork { try ds.sync(transport: http, observer: observer) }
            outcome = .done(at: clock.now(), sent: r.sent, receipted: r.receipted, mediaSent: r.mediaSent)
        } catch {
            outcome = .failed(at: clock.now(), reason: words(error))
        }
        finishedSync(outcome)
        return outcome
    }

    /// The sync now running in the background, if any.
    @ObservationIgnored public private(set) var runningSync: _Concurrency.Task<SyncOutcome, Never>?

    /// Starts a sync unless one is running, and returns the one that is.
    @discardableResult
    public func syncSoon(observer: SyncObserver? = nil) -> _Concurrency.Task<SyncOutcome, Never> {
        if let running = runningSync { return running }
        let t = _Concurrency.Task { @MainActor in
            let outcome = await self.sync(observer: observer)
            self.runningSync = nil
            return outcome
        }
        runningSync = t
        return t
    }

    /// A visit was sealed: it is evidence, so it goes up as soon as a network is there,
    /// whether or not the worker opens the sync screen.
    public func sealed() {
        scheduleNextSync()
        syncSoon()
    }

    private func finishedSync(_ outcome: SyncOutcome) {
        updateSettings { $0.syncs.record(outcome) }
        syncGeneration += 1
        scheduleNextSync()
    }

    /// Asks the background scheduler for the next sync, per `SyncPolicy`.
    public func scheduleNextSync() {
        guard let scheduler, let ds = store else { return }
        let unsent = (try? ds.status().unsent) ?? 0
        scheduler.schedule(earliest: SyncPolicy.next(after: settings.syncs, unsent: unsent, now: clock.now()))
    }
}
