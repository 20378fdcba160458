"""Errors about the user's input. The CLI turns them into one line each and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One problem in one input file: `file:line: message` (line 0 = whole file)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class InputError(Exception):
    """Bad input. Carries every problem found, not just the first (users fix them in one go)."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(cls, file: str, line: int, message: str) -> InputError:
        return cls([InputProblem(file, line, message)])


class InputWarning(UserWarning):
    """Something in the input that is likely a mistake but does not stop the analysis
    (issued with `warnings.warn`; the CLI shows each as one `warning: file:line: ...` line)."""

    def __init__(self, problem: InputProblem) -> None:
        self.problem = problem
        super().__init__(str(problem))
