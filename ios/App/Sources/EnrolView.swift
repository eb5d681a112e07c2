// Enrolment: the county's server address and the supervisor's one-time code (and the
// county's CA when it has its own); or, when the Keychain lost the store's key, why and the
// way forward.

import DoorstepKit
import SwiftUI

struct EnrolView: View {
    @State var model: EnrolModel

    var body: some View {
        Form {
            if model.keyLost {
                Section {
                    Text(L("keylost.title")).font(.title2.bold())
                    Text(L("keylost.explain")).font(.body)
                    Button(L("keylost.setAside")) { try? model.startAfresh() }.buttonStyle(BigButtonStyle())
                }
            } else {
                Section {
                    Text(L("enrol.explain")).font(.body)
                    TextField(L("enrol.server"), text: $model.server)
                        .textContentType(.URL).keyboardType(.URL).textInputAutocapitalization(.never).bigTarget()
                    TextField(L("enrol.code"), text: $model.code)
                        .textInputAutocapitalization(.characters).autocorrectionDisabled().bigTarget()
                }
                Section(L("enrol.ca")) {
                    TextEditor(text: $model.countyCaPem).font(.caption.monospaced()).frame(minHeight: 80)
                }
                Section {
                    switch model.phase {
                    case .working: ProgressView(L("enrol.working")).bigTarget()
                    case let .refused(why): WarningLine(text: why)
                    case .badCertificate: WarningLine(text: L("enrol.badCertificate"))
                    case .enrolled: Text(L("enrol.done")).font(.title3)
                    case .editing: EmptyView()
                    }
                    Button(L("enrol.go")) { Task { await model.enrol() } }
                        .buttonStyle(BigButtonStyle()).disabled(!model.canEnrol)
                }
            }
        }
        .navigationTitle(L("enrol.title"))
    }
}
