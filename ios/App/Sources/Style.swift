// Sizes for old eyes and unsteady hands: text styles that follow Dynamic Type (never fixed
// point sizes), touch targets at least 56 pt high, warnings in a colour with a sign beside
// it (never colour alone), and the app's words looked up in Localizable.strings.

import DoorstepKit
import SwiftUI

/// The app's own words: "key" in Localizable.strings, with printf-style arguments.
func L(_ key: String, _ args: CVarArg...) -> String {
    let format = NSLocalizedString(key, comment: "")
    return args.isEmpty ? format : String(format: format, arguments: args)
}

/// Fen as yuan: ¥100.00.
func yuan(_ fen: Int64) -> String { String(format: "¥%d.%02d", fen / 100, abs(fen % 100)) }

struct BigButtonStyle: ButtonStyle {
    var prominent = true
    func makeBody(configuration: Configuration) -> some View {
        configuration.label
            .font(.title3.weight(.semibold))
            .frame(maxWidth: .infinity, minHeight: 56)
            .padding(.horizontal, 12)
            .background(prominent ? Color.accentColor : Color.secondary.opacity(0.15), in: RoundedRectangle(cornerRadius: 12))
            .foregroundStyle(prominent ? Color.white : Color.primary)
            .opacity(configuration.isPressed ? 0.7 : 1)
    }
}

extension View {
    /// A row the whole width and at least 56 pt high reacts to.
    func bigTarget() -> some View { frame(maxWidth: .infinity, minHeight: 56, alignment: .leading).contentShape(Rectangle()) }
}

/// A warning line: the sign and the words, in the warning colour.
struct WarningLine: View {
    let text: String
    var body: some View {
        Label(text, systemImage: "flag.fill").foregroundStyle(.orange).font(.body)
    }
}

/// One choice of many, each a big button; the chosen one marked with a tick too.
struct Choices<T: Hashable>: View {
    let options: [T]
    let label: (T) -> String
    let chosen: T?
    let pick: (T) -> Void

    var body: some View {
        VStack(spacing: 8) {
            ForEach(options, id: \.self) { o in
                Button { pick(o) } label: {
                    Label(label(o), systemImage: o == chosen ? "checkmark.circle.fill" : "circle")
                        .frame(maxWidth: .infinity, alignment: .leading)
                }
                .buttonStyle(BigButtonStyle(prominent: o == chosen))
                .accessibilityAddTraits(o == chosen ? .isSelected : [])
            }
        }
    }
}
