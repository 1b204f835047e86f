mod draft;
mod state_machine;
mod verdicts;
