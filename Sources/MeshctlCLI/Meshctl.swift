import ArgumentParser

/// The root command. (Stub: the command line is being implemented.)
public struct Meshctl: ParsableCommand {
  public static let configuration = CommandConfiguration(commandName: "meshctl")
  public init() {}
}
