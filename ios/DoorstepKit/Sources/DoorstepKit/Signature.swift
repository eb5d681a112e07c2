// The signature as the finger draws it: strokes of points with the time since the first
// touch and the pressure, in the pad's own coordinates. The core turns them into the image
// and the evidence (and refuses a scribble too short to be one); this type only collects.

public struct SignatureModel: Sendable, Equatable {
    public let width: UInt32
    public let height: UInt32
    public private(set) var strokes: [[StrokePoint]] = []
    private var firstTouch: Double?
    private var lastT: UInt32 = 0

    public init(width: UInt32, height: UInt32) {
        self.width = width
        self.height = height
    }

    public var isEmpty: Bool { strokes.allSatisfy { $0.isEmpty } }

    /// A finger down: a new stroke. `time` in seconds from any fixed origin.
    public mutating func begin(x: Double, y: Double, time: Double, pressure: Float = 0.5) {
        strokes.append([])
        add(x: x, y: y, time: time, pressure: pressure)
    }

    /// The finger moved (each sample of a batched touch is one call).
    public mutating func move(x: Double, y: Double, time: Double, pressure: Float = 0.5) {
        if strokes.isEmpty { strokes.append([]) }
        add(x: x, y: y, time: time, pressure: pressure)
    }

    /// The finger lifted; the next touch starts a new stroke.
    public mutating func end(x: Double, y: Double, time: Double, pressure: Float = 0.5) {
        move(x: x, y: y, time: time, pressure: pressure)
    }

    public mutating func clear() {
        strokes = []
        firstTouch = nil
        lastT = 0
    }

    /// What goes to the core; nil when nothing was drawn.
    public func input() -> SignatureInput? {
        let drawn = strokes.filter { !$0.isEmpty }
        return drawn.isEmpty ? nil : SignatureInput(width: width, height: height, strokes: drawn)
    }

    private mutating func add(x: Double, y: Double, time: Double, pressure: Float) {
        let origin = firstTouch ?? time
        firstTouch = origin
        // Milliseconds since the first touch, never going back (touch clocks can jitter).
        let ms = UInt32(clamping: Int64(((time - origin) * 1000).rounded()))
        lastT = max(lastT, ms)
        strokes[strokes.count - 1].append(StrokePoint(x: Float(x), y: Float(y), t: lastT, p: pressure))
    }
}
