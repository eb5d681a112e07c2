// Plugin versions for the whole Android build, pinned; the app module applies them.
// AGP 8.x has no built-in Kotlin support, so the Kotlin Android plugin is still needed.
plugins {
    id("com.android.application") version "8.13.0" apply false
    id("org.jetbrains.kotlin.android") version "2.4.21" apply false
}
