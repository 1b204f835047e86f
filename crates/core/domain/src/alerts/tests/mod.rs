mod draft;
mod live_event;
mod state_machine;
mod verdicts;
