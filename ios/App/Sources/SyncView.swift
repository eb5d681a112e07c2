// The sync screen: what waits to go up, the last full sync, how the last one ended, the
// phone's clock when it is off, who this phone is enrolled as, and "sync now".

import DoorstepKit
import SwiftUI

struct SyncView: View {
    @State var model: SyncModel

    var body: some View {
        List {
            if let s = model.status {
                Text(L("sync.unsent", s.unsent)).font(.title3)
                Text(L("sync.drafts", s.drafts))
                Text(s.lastSyncAt.map { L("sync.last", Date(timeIntervalSince1970: TimeInterval($0)).formatted(date: .abbreviated, time: .shortened)) }
                     ?? L("sync.never"))
                Text(L("sync.who", s.worker ?? "—", s.area ?? "—", s.server ?? "—")).font(.callout)
            }
            if let off = model.clockOff { WarningLine(text: L("sync.clock", off)) }
            switch model.last {
            case let .done(_, sent, receipted, media)?: Text(L("sync.done", sent, receipted, media))
            case let .failed(_, reason)?: WarningLine(text: L("sync.failed", reason))
            case nil: EmptyView()
            }
            if model.running {
                if let p = model.progress {
                    ProgressView(labelSyncStage(value: p.stage, language: model.language), value: Double(p.done), total: Double(max(p.total, 1)))
                } else {
                    ProgressView(L("sync.working"))
                }
            }
            Button(L("sync.now")) { Task { await model.syncNow() } }.buttonStyle(BigButtonStyle()).disabled(model.running)
        }
        .font(.body)
        .navigationTitle(L("sync.title"))
        .onAppear { model.refresh() }
    }
}
