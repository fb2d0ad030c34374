//! The ChatML prompt of SmolLM2's chat template (`tokenizer.chat_template` in the GGUF), applied in Rust:
//! a default system turn when the conversation has none, each message as
//! `<|im_start|>{role}\n{content}<|im_end|>\n`, and the assistant turn opened for the reply.

/// The system line the template inserts when the conversation does not start with one.
pub const DEFAULT_SYSTEM: &str = "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

/// One chat message.
#[derive(Clone, Debug)]
pub struct Message<'a> {
    pub role: &'a str,
    pub content: &'a str,
}

/// The prompt text for `messages`, ending with the opened assistant turn.
pub fn chatml(messages: &[Message<'_>]) -> String {
    let mut s = String::new();
    if messages.first().is_none_or(|m| m.role != "system") {
        s.push_str("<|im_start|>system\n");
        s.push_str(DEFAULT_SYSTEM);
        s.push_str("<|im_end|>\n");
    }
    for m in messages {
        s.push_str("<|im_start|>");
        s.push_str(m.role);
        s.push('\n');
        s.push_str(m.content);
        s.push_str("<|im_end|>\n");
    }
    s.push_str("<|im_start|>assistant\n");
    s
}

/// The prompt for a single user message.
pub fn user_prompt(user: &str) -> String {
    chatml(&[Message { role: "user", content: user }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_the_default_system_turn_only_when_missing() {
        let p = user_prompt("Hi");
        assert_eq!(
            p,
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n\
             <|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
        let p = chatml(&[
            Message { role: "system", content: "Be brief." },
            Message { role: "user", content: "Hi" },
        ]);
        assert!(p.starts_with("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n"));
    }
}
