// The signature pad: a finger's drag feeds SignatureModel point by point (in the pad's own
// 600 × 240 coordinates, whatever the screen's size), and the strokes are drawn as they come.

import DoorstepKit
import SwiftUI

struct SignaturePad: View {
    @Binding var model: SignatureModel
    @State private var touching = false

    var body: some View {
        GeometryReader { geo in
            let sx = Double(model.width) / max(geo.size.width, 1)
            let sy = Double(model.height) / max(geo.size.height, 1)
            Canvas { ctx, _ in
                for stroke in model.strokes where stroke.count > 1 {
                    var path = Path()
                    path.move(to: CGPoint(x: Double(stroke[0].x) / sx, y: Double(stroke[0].y) / sy))
                    for p in stroke.dropFirst() { path.addLine(to: CGPoint(x: Double(p.x) / sx, y: Double(p.y) / sy)) }
                    ctx.stroke(path, with: .color(.primary), lineWidth: 3)
                }
            }
            .background(Color.secondary.opacity(0.08), in: RoundedRectangle(cornerRadius: 12))
            .gesture(DragGesture(minimumDistance: 0).onChanged { v in
                let t = v.time.timeIntervalSinceReferenceDate
                let x = v.location.x * sx, y = v.location.y * sy
                if touching { model.move(x: x, y: y, time: t) } else { touching = true; model.begin(x: x, y: y, time: t) }
            }.onEnded { v in
                touching = false
                model.end(x: v.location.x * sx, y: v.location.y * sy, time: v.time.timeIntervalSinceReferenceDate)
            })
            .accessibilityLabel(L("sign.pad"))
        }
    }
}
