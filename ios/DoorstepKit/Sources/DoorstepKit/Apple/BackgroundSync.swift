// Background sync on an iPhone: a BGProcessingTask that needs a network, asked for at the
// date SyncPolicy gives (at once after a visit is sealed, hourly otherwise, later after
// failures). iOS decides when it really runs; the app also syncs when it comes to the front.
// The task identifier is listed in Info.plist (BGTaskSchedulerPermittedIdentifiers).
// Compiled only on Apple platforms (never on the Linux machines this project is tested on).
#if canImport(BackgroundTasks)
import BackgroundTasks
import Foundation

public final class BackgroundSync: SyncScheduling, @unchecked Sendable {
    public static let identifier = "org.doorstep.field.sync"
    private let app: FieldApp

    public init(app: FieldApp) { self.app = app }

    /// Before the app finishes launching.
    public func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: Self.identifier, using: .main) { task in
            let run = _Concurrency.Task { @MainActor in
                guard self.app.open() == .ready else { return task.setTaskCompleted(success: false) }
                let outcome = await self.app.sync()
                if case .done = outcome { task.setTaskCompleted(success: true) } else { task.setTaskCompleted(success: false) }
            }
            // iOS wants the time back: what was committed before the cut stays committed.
            task.expirationHandler = { run.cancel() }
        }
    }

    public func schedule(earliest: Date) {
        let request = BGProcessingTaskRequest(identifier: Self.identifier)
        request.requiresNetworkConnectivity = true
        request.requiresExternalPower = false
        request.earliestBeginDate = earliest
        BGTaskScheduler.shared.cancel(taskRequestWithIdentifier: Self.identifier)
        try? BGTaskScheduler.shared.submit(request)
    }
}
#endif
