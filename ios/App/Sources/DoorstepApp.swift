// The iOS field app: SwiftUI over DoorstepKit's view models. It holds no rule; every screen
// shows what a view model holds, in the core's words or the app's Localizable.strings.
// Compiled only on a Mac (Xcode 16+, see ios/README.md); its logic is tested on Linux.

import DoorstepKit
import SwiftUI

@main
struct DoorstepApp: App {
    @State private var app: FieldApp
    @Environment(\.scenePhase) private var phase
    private let background: BackgroundSync

    init() {
        let folder = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("Doorstep", isDirectory: true)
        let lang = languageFromLocale(locale: Locale.preferredLanguages.first ?? "zh-Hans")
        let app = FieldApp(folder: folder, vault: KeychainVault(service: "org.doorstep.field.store-key"),
                           language: lang, transport: { PinnedTransport.make(countyCaPem: $0) })
        background = BackgroundSync(app: app)
        app.scheduler = background
        app.open()
        _app = State(initialValue: app)
        background.register()
    }

    var body: some Scene {
        WindowGroup {
            RootView()
                .environment(app)
        }
        .onChange(of: phase) { _, now in
            switch now {
            case .active:
                // Back in front: whatever waits goes up, and the lists are fresh.
                if app.open() == .ready, SyncPolicy.due(app.settings.syncs, unsent: (try? app.core.status().unsent) ?? 0, now: Date()) {
                    app.syncSoon()
                }
            case .background:
                app.scheduleNextSync()
            default:
                break
            }
        }
    }
}

/// Routes on the store: key lost, not enrolled, or the due list.
struct RootView: View {
    @Environment(FieldApp.self) private var app

    var body: some View {
        switch app.opened {
        case .ready where app.enrolled:
            NavigationStack { DueListView(model: DueListModel(app: app)) }
        case .ready, .keyLost:
            NavigationStack { EnrolView(model: EnrolModel(app: app)) }
        case let .failed(why):
            Text(why).font(.title3).padding()
        case nil:
            ProgressView()
        }
    }
}
