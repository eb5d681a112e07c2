// The visit: the location line, the core's next step and every flag in its words, the parts
// of the three doors as tabs along the top, and the part itself. Location listens for the
// whole time the screen is shown; the camera is the adapter behind PhotoSource.

import DoorstepKit
import SwiftUI

struct VisitView: View {
    @State var model: VisitModel
    @State private var locateRun = 0
    // Kept across re-renders: one location manager for the screen's life.
    @State private var location = CoreLocationProvider.windowed()
    private let camera = CameraPhotoSource()

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                Text(model.recipient?.name ?? "").font(.title.bold())
                locationLine
                Text(L("visit.next", model.state.stepText)).font(.title3)
                if !model.state.flags.isEmpty {
                    Text(L("visit.flagsNote")).font(.callout)
                    ForEach(Array(model.state.flags.enumerated()), id: \.offset) { _, f in WarningLine(text: f.text) }
                }
                parts
                if let why = model.refusal { WarningLine(text: why) }
                if let n = model.notice { Text(L("notice.\(n.rawValue)")).font(.body) }
                Divider()
                part
            }
            .padding()
        }
        .navigationTitle(L("part.\(model.part.rawValue)"))
        .task(id: locateRun) { await model.locate(with: location) }
    }

    private var locationLine: some View {
        HStack {
            switch model.location {
            case .idle: Text(L("location.idle"))
            case let .locating(a): Text(L("location.locating", a.map { String(format: "%.0f", $0) } ?? "—"))
            case let .fixed(a): Text(L("location.fixed", String(format: "%.0f", a)))
            case .noFix: Text(L("location.noFix"))
            case .denied, .servicesOff:
                WarningLine(text: L(model.location == .denied ? "location.denied" : "location.servicesOff"))
                Button(L("visit.openSettings")) {
                    if let url = URL(string: UIApplication.openSettingsURLString) { UIApplication.shared.open(url) }
                }
            }
            Spacer()
            Button(L("visit.locate")) { locateRun += 1 }.frame(minHeight: 56)
        }.font(.body)
    }

    private var parts: some View {
        ScrollView(.horizontal) {
            HStack {
                ForEach(VisitModel.Part.allCases, id: \.self) { p in
                    Button(L("part.\(p.rawValue)")) { model.part = p }
                        .buttonStyle(BigButtonStyle(prominent: p == model.part))
                        .disabled(model.sealed != nil)
                }
            }
        }
    }

    @ViewBuilder private var part: some View {
        if let sealed = model.sealed {
            SealedPart(sealed: sealed)
        } else {
            switch model.part {
            case .knock: KnockPart(model: model)
            case .care: CarePart(model: model)
            case .open: OpenPart(model: model)
            case .checklist: ChecklistPart(model: model)
            case .satisfaction: SatisfactionPart(model: model)
            case .photos: PhotosPart(model: model, camera: camera)
            case .sign: SignPart(model: model, camera: camera)
            case .finish: FinishPart(model: model)
            }
        }
    }
}
