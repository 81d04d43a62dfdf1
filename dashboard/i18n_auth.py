"""Texts of sign-in, roles, the audit-log and load-files pages (issue 17), in English and Simplified Chinese.

Merged into dashboard/i18n.py's tables through its EXTENSIONS (key -> (English, Chinese)); imports nothing from
dashboard.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # sign-in
    "auth.title": ("Sign in", "登录"),
    "auth.intro": ("Service-quality analytics. Sign in with the account your administrator gave you.",
                   "服务质量分析。请使用管理员为您开设的账号登录。"),
    "auth.user": ("User name", "用户名"),
    "auth.password": ("Password", "密码"),
    "auth.submit": ("Sign in", "登录"),
    "auth.failed": ("Wrong user name or password.", "用户名或密码错误。"),
    "auth.throttled": ("Too many failed sign-ins. Try again in {minutes} min.",
                       "登录失败次数过多，请 {minutes} 分钟后再试。"),
    "auth.timed_out": ("You were signed out after {minutes} min without activity. Sign in again.",
                       "您已超过 {minutes} 分钟无操作，已自动退出，请重新登录。"),
    "auth.signed_out": ("Signed out.", "已退出登录。"),
    "auth.sign_out": ("Sign out", "退出登录"),
    "auth.who": ("Signed in as **{user}** ({role}){sites}", "当前用户 **{user}**（{role}）{sites}"),
    "auth.who.sites": (" · sites: {sites}", " · 站点：{sites}"),
    "auth.bad_file": ("The accounts file cannot be read, so the dashboard does not serve: {message}",
                      "账号文件无法读取，仪表板暂停服务：{message}"),
    "auth.local": ("No accounts are configured: this dashboard serves on this computer only (localhost) and shows "
                   "every page to whoever opens it. To share it, add accounts with `sqd user add` "
                   "(docs/security.md).",
                   "尚未配置账号：仪表板仅在本机（localhost）提供服务，打开者可查看所有页面。如需共享，请先用 "
                   "`sqd user add` 添加账号（见 docs/security.md）。"),
    "auth.refuse_bind": ("This dashboard listens on {address}, but no accounts are configured: it refuses to serve "
                         "anything. Add accounts with `sqd user add NAME --role admin`, or run it on localhost "
                         "(`--server.address 127.0.0.1`, what `make run` does).",
                         "仪表板监听地址为 {address}，但尚未配置账号，因此拒绝提供服务。请用 "
                         "`sqd user add 用户名 --role admin` 添加账号，或仅在本机运行（`--server.address 127.0.0.1`，"
                         "即 `make run` 的做法）。"),
    "auth.denied": ("This page needs the {role} role; your account is {current}.",
                    "此页面需要“{role}”角色，您的账号为“{current}”。"),
    "auth.scope_outside": ("Your account sees only these sites: {scope}. {sites} shows nothing here; choose among "
                           "your sites in the sidebar.",
                           "您的账号仅可查看以下站点：{scope}。{sites} 在此不显示任何数据，请在侧栏中选择您的站点。"),
    "auth.scope_caption": ("Your account sees only these sites: {scope} (every page, the weekly pack and SQL). Data "
                           "that is neither a site's nor tied to its tickets (inspections, the roster, most "
                           "nonconformities and calls) is not shown.",
                           "您的账号仅可查看以下站点：{scope}（所有页面、质量周报和 SQL）。既不属于这些站点、也不关联其工单的"
                           "数据（检验、排班，以及大部分不合格品和来电）不显示。"),
    "auth.masked_note": ("Customer ids, phone numbers and names in comments are masked for your role.",
                         "按您的角色，客户编号、电话号码及评论中的姓名已作遮盖。"),
    "auth.no_row_download": ("Row-level downloads need the analyst role.", "下载明细数据需要“分析员”角色。"),
    "auth.notes_admin": ("Only an administrator can edit the meeting notes.", "只有管理员可以编辑会议纪要。"),
    "role.viewer": ("viewer", "查看者"),
    "role.analyst": ("analyst", "分析员"),
    "role.admin": ("administrator", "管理员"),
    # audit-log page
    "page.audit_log": ("Audit log", "审计日志"),
    "audit.title": ("Audit log", "审计日志"),
    "audit.intro": ("Sign-ins, SQL statements, downloads, loads and releases, newest first. The log lives beside "
                    "the warehouse ({path}); nothing on this dashboard can change it.",
                    "登录、SQL 语句、下载、加载和放行记录，最新在前。日志保存在数据仓库旁（{path}），仪表板上的任何操作都"
                    "无法修改它。"),
    "audit.filter_user": ("User", "用户"),
    "audit.filter_action": ("Action", "操作"),
    "audit.empty": ("Nothing logged yet.", "尚无记录。"),
    # load-files page
    "page.load_files": ("Load files", "加载文件"),
    "load.title": ("Load files", "加载文件"),
    "load.intro": ("Upload exports (CSV, XLSX, XLS, Parquet, NDJSON): each is loaded by the warm loader (the same path "
                   "as `sqd ingest`), one after the other, with its data-quality result.",
                   "上传导出文件（CSV、XLSX、XLS、Parquet、NDJSON）：由常驻加载器逐个加载（与 `sqd ingest` 相同的流程），"
                   "并显示数据质量结果。"),
    "load.files": ("Files", "文件"),
    "load.profile": ("Mapping profile (empty: chosen by the file's headers)", "映射配置（留空：按表头自动选择）"),
    "load.start": ("Load", "加载"),
    "load.progress": ("Loading {name} ({done} of {total})", "正在加载 {name}（第 {done} / {total} 个）"),
    "load.done": ("{name}: {status}. {message}", "{name}：加载结果 {status}。{message}"),
    "load.quality": ("Data-quality result after the load", "加载后的数据质量结果"),
    "load.release.help": ("A corrected file releases the quarantined rows it publishes (the Data quality page lists "
                          "them); loads and releases go into the audit log.",
                          "更正后的文件发布时会放行其中的隔离行（见“数据质量”页）；加载和放行都会记入审计日志。"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "at": ("Time (UTC)", "时间（UTC）"),
    "user": ("User", "用户"),
    "role": ("Role", "角色"),
    "action": ("Action", "操作"),
    "ok": ("Succeeded", "成功"),
    "detail": ("Detail", "详情"),
    "duration_s": ("Duration (s)", "耗时（秒）"),
    "session": ("Session", "会话"),
    "source": ("Source", "来源"),
}
