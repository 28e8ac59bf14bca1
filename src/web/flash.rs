//! The message a page shows after a form was handled and the browser was sent back to it
//! (`?msg=CODE`): fixed texts only, so a link cannot make a page say anything else.

pub fn message(code: Option<&str>) -> Option<String> {
    let text = match code? {
        "logged_out" => "您已退出登录。",
        "password_changed" => "密码已修改。",
        "registered" => "已登记备案。",
        "deregistered" => "已注销。",
        "interview_recorded" => "约谈记录已保存。",
        "objection_filed" => "异议已提交，等待医保经办机构处理。",
        "objection_decided" => "处理决定已记录。",
        "escalated" => "已向医保行政部门提出复核。",
        "escalation_decided" => "行政部门的复核决定已记录，并已出具书面通知。",
        "account_created" => "账户已创建。",
        "account_disabled" => "账户已停用，其登录已全部失效。",
        "account_enabled" => "账户已启用。",
        "password_reset" => "密码已重置；该用户下次登录时须设置新密码。",
        _ => return None,
    };
    Some(text.to_string())
}
